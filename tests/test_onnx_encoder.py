"""The ONNX Runtime encoder gives the sentence-transformers vectors, counts word pieces the
same way, and keeps torch out of the query path."""

import json
import subprocess
import sys

import numpy as np
import pytest

from qa.onnx_encoder import OnnxEncoder, onnx_path
from qa.embedding import Embedder, ModelError, model_path
from qa.settings import ROOT

pytestmark = pytest.mark.model

TEXTS = [
    "Which observers did Russia say found the Kazakh vote fair?",
    "Kazakhstan",
    "Russian Federation | 2021-01-21 | On the early parliamentary elections in Kazakhstan\n"
    "The ODIHR observation mission noted that fundamental freedoms were generally respected.",
    "Ünïcødé, “curly quotes” — and numbers: 1,299th meeting; 12.5 per cent; PC.DEL/64/21 ¶3.",
    "Москва заявила, что выборы прошли спокойно.",
    "",
    # far over 256 word pieces: both runtimes must truncate at the same place
    " ".join(["The delegation reiterates its support for the Chairpersonship's efforts."] * 60),
]


@pytest.fixture(scope="module")
def onnx():
    return OnnxEncoder()


@pytest.fixture(scope="module")
def torch_model():
    return Embedder()


def test_vectors_equal_torch_within_1e5(onnx, torch_model):
    a = onnx.encode(TEXTS, batch_size=3)
    b = torch_model.encode(TEXTS)
    assert a.shape == b.shape == (len(TEXTS), 384)
    assert np.abs(a - b).max() < 1e-5
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)


def test_query_vector_matches_the_published_check_values(onnx):
    # docs/offline-models: encode("This is a test")[:3] ≈ [0.030612, 0.013831, -0.020844]
    assert np.allclose(onnx.encode_query("This is a test")[:3], [0.030612, 0.013831, -0.020844], atol=1e-5)


def test_batch_order_and_padding_do_not_change_a_vector(onnx):
    alone = np.stack([onnx.encode_query(t) for t in TEXTS])
    assert np.abs(onnx.encode(TEXTS, batch_size=32) - alone).max() < 1e-5


def test_long_text_is_truncated_like_torch_and_counted_in_full(onnx, torch_model):
    long = TEXTS[-1]
    assert onnx.count_tokens(long) == torch_model.count_tokens(long) > 256
    assert not onnx.fits(long) and onnx.fits(TEXTS[0])
    assert onnx.max_seq_length == torch_model.max_seq_length == 256
    # the first 256 word pieces decide the vector: more text after them changes nothing
    assert np.abs(onnx.encode_query(long) - onnx.encode_query(long + " Entirely different words.")).max() < 1e-6


def test_empty_list_gives_an_empty_matrix(onnx):
    assert onnx.encode([]).shape == (0, 384)


def test_export_goes_to_a_cache_keyed_by_the_model(tmp_path):
    path = onnx_path(model_path("all-MiniLM-L6-v2"), tmp_path)
    assert path.parent.parent == tmp_path and path.name == "model.onnx"
    assert path == onnx_path(model_path("all-MiniLM-L6-v2"), tmp_path)


def test_a_corrupt_cached_export_is_a_clear_error(tmp_path):
    path = onnx_path(model_path("all-MiniLM-L6-v2"), tmp_path)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not an onnx file")
    with pytest.raises(ModelError, match="delete it to export again"):
        OnnxEncoder(cache_dir=tmp_path)


def test_query_path_imports_neither_torch_nor_sentence_transformers(seed_index, seed_settings):
    """Load the index, search and answer with the ONNX encoder in a fresh interpreter."""
    code = (
        "import sys, json\n"
        "from qa.answer import ask, to_json\nfrom qa.index import Index\n"
        "from qa.onnx_encoder import get_onnx_encoder\nfrom qa.retrieval import Retriever\n"
        "from qa.settings import Settings\n"
        f"index = Index.load({str(seed_settings.index_dir)!r})\n"
        "r = Retriever(index, Settings.from_env(), embedder=get_onnx_encoder())\n"
        "a = to_json(ask(r, 'Which observers did Russia say found the Kazakh vote fair?'))\n"
        "print(json.dumps({'answer': a, 'loaded': sorted(m for m in ('torch', 'sentence_transformers', "
        "'transformers', 'sklearn') if m in sys.modules)}))\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    assert result["loaded"] == []
    assert not result["answer"]["abstained"]
    assert {p["doc_id"] for p in result["answer"]["passages"]} & {"PC.DEL/64/21", "PC.DEL/1799/22"}


def test_an_unwritable_cache_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")                  # a file where the cache folder should be
    with pytest.raises(ModelError, match="cannot export the model to ONNX.*QA_ENCODER=torch"):
        OnnxEncoder(cache_dir=blocker / "onnx")


def test_a_follow_up_s_two_texts_encoded_side_by_side_equal_each_alone(onnx, torch_model):
    """A follow-up is searched with two texts (qa/pipeline.py): run side by side they must give
    the vectors each gives alone, and what sentence-transformers gives for the pair."""
    pair = TEXTS[:2]
    side_by_side = onnx.encode_queries(pair)
    assert side_by_side.shape == (2, onnx.dimension)
    assert np.allclose(side_by_side, [onnx.encode_query(t) for t in pair], atol=1e-6)
    assert np.allclose(side_by_side, torch_model.encode_queries(pair), atol=1e-5)
    assert onnx.encode_queries(pair[:1]).shape == (1, onnx.dimension)
