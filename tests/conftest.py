"""Shared fixtures: the seed corpus indexed once per test session with the real model."""

from __future__ import annotations

import shutil

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


@pytest.fixture
def corpus(tmp_path):
    """A copy of the seed corpus that a test may add files to or damage."""
    dst = tmp_path / "corpus"
    shutil.copytree(SEED_CORPUS, dst)
    return dst


@pytest.fixture
def settings(seed_settings, corpus, tmp_path):
    """The seed settings over that copy, with an index folder of the test's own."""
    return seed_settings.with_(corpus_dir=corpus, index_dir=tmp_path / "index")
