"""`qa index --ray`: the same vectors, cache and index format as the single-process path,
on a local Ray instance (the `ray` extra, installed by `make test`)."""

import numpy as np

from qa.distributed import RayEncoder
from qa.embed_cache import EmbedCache
from qa.index import Index, update_index


def test_ray_build_gives_the_single_process_vectors(seed_settings, seed_index, corpus, tmp_path):
    settings = seed_settings.with_(corpus_dir=corpus, index_dir=tmp_path / "ray-index", embed_batch=16,
                                   ray_workers=2)
    encoder = RayEncoder(None, settings, num_cpus=2)
    try:
        index, stats = update_index(settings, encoder=encoder)
    finally:
        encoder.close()
    assert stats.embedded == stats.chunks == len(seed_index.chunks) > 16     # several batches, two actors
    assert [c.to_dict() for c in index.chunks] == [c.to_dict() for c in seed_index.chunks]
    np.testing.assert_allclose(np.asarray(index.vectors), np.asarray(seed_index.vectors), atol=1e-5)
    # the same format and the same cache: a plain `qa index` afterwards finds everything done
    loaded = Index.load(settings.index_dir)
    assert loaded.manifest["settings"] == seed_index.manifest["settings"]
    cache = EmbedCache.in_index(settings.index_dir, settings.model, 384)
    assert len(cache) == stats.chunks
    cache.close()
    (settings.index_dir / "CURRENT").unlink()
    assert update_index(settings)[1].embedded == 0
