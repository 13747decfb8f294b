"""Shared fixtures: the seed corpus indexed once per test session with the real model."""

from __future__ import annotations

import pytest

from qa.settings import ROOT, Settings

SEED_CORPUS = ROOT / "corpus"


@pytest.fixture(scope="session")
def seed_settings(tmp_path_factory) -> Settings:
    return Settings.from_env(corpus_dir=SEED_CORPUS, index_dir=tmp_path_factory.mktemp("seed-index"))


@pytest.fixture(scope="session")
def seed_index(seed_settings):
    from qa.index import update_index
    index, _ = update_index(seed_settings)
    return index


@pytest.fixture(scope="session")
def retriever(seed_index, seed_settings):
    from qa.retrieval import Retriever
    return Retriever(seed_index, seed_settings)


@pytest.fixture(scope="session")
def embedder():
    from qa.embedding import get_embedder
    return get_embedder()
