# Two entry points (see README):  make app   and   make test
# Both create .venv and install everything on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# torch is pinned and installed first, alone: on this machine pip finds the CPU
# wheel on local disk; elsewhere set TORCH_INDEX_URL to a CPU wheel index to avoid
# the large CUDA build (the default index serves one on Linux x86_64).
TORCH_VERSION   ?= 2.13.0
TORCH_INDEX_URL ?=
TORCH_INDEX_ARG := $(if $(TORCH_INDEX_URL),--extra-index-url $(TORCH_INDEX_URL),)

export HF_HUB_OFFLINE=1
export TRANSFORMERS_OFFLINE=1
export HF_HUB_DISABLE_TELEMETRY=1
export GRADIO_ANALYTICS_ENABLED=False
export TOKENIZERS_PARALLELISM=false

.PHONY: app test test-fast index quality bench-scifact bench-scale eval-dev eval-heldout eval-mixed eval-oos eval-un clean bench-embed bench-index kill-build

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet "torch==$(TORCH_VERSION)" $(TORCH_INDEX_ARG)
	$(BIN)/pip install --quiet -e ".[test,ray]"
	touch $@

app: $(VENV)/.installed
	$(BIN)/python app.py

# The browser tests need Debian's Chromium; install it when it is missing (as root).
/usr/bin/chromium:
	(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
	  || (echo "Chromium is required for the browser tests: apt-get install chromium" >&2; exit 1)

test: $(VENV)/.installed /usr/bin/chromium
	$(BIN)/python -m pytest -q

test-fast: $(VENV)/.installed
	$(BIN)/python -m pytest -q -m "not browser and not load"

index: $(VENV)/.installed
	$(BIN)/qa index

eval-dev: $(VENV)/.installed
	$(BIN)/qa eval eval/osce-dev.jsonl --retriever dense,bm25,hybrid

# 30 questions written to check changes tuned on the dev set (never tuned on)
eval-heldout: $(VENV)/.installed
	$(BIN)/qa eval eval/osce-heldout.jsonl --retriever dense,bm25,hybrid

# The dev set against the seed statements mixed with 16 synthetic distractors on
# related topics (eval/distractors/README.md): does retrieval hold up in a larger corpus?
MIXED := index/mixed-corpus
eval-mixed: $(VENV)/.installed
	rm -rf $(MIXED) && mkdir -p $(MIXED)
	cp corpus/*.txt corpus/*.meta.json eval/distractors/*.txt $(MIXED)/
	$(BIN)/qa eval eval/osce-dev.jsonl --corpus $(MIXED) --index index/mixed --retriever dense,bm25,hybrid
	$(BIN)/qa eval eval/osce-heldout.jsonl --corpus $(MIXED) --index index/mixed

# Out-of-sample sets (eval/README.md), written without looking at retrieval output, over
# the same mixed corpus: tune on the -dev files only, report -dev and -test side by side.
OOS_SETS := mixed chat stance mixed2 chat2 mixed3 chat3 mixed4 chat4 mixed5 chat5 chat6 stance2 mixed6 chat9 chat10 chat11 chat12 chat13 mixed7 chat14 mixed8 chat15 mixed9 chat16 mixed10 chat17 mixed11 chat18 mixed12 chat19 mixed13 chat20
eval-oos: $(VENV)/.installed
	rm -rf $(MIXED) && mkdir -p $(MIXED)
	cp corpus/*.txt corpus/*.meta.json eval/distractors/*.txt $(MIXED)/
	for set in $(OOS_SETS); do for split in dev test; do \
	  $(BIN)/qa eval eval/$$set-$$split.jsonl --corpus $(MIXED) --index index/mixed --retriever dense,bm25,hybrid || exit 1; \
	done; done

# Questions over one real UN General Debate session (70th, 2015; eval/README.md), judged by
# evidence strings. The session's 193 speeches are unpacked once from the shared archive.
UNGDC_TAR ?= ../shared/corpora/ungdc-1946-2024.tar.xz
UN_2015   := index/un-2015
$(UN_2015)/corpus:
	rm -rf $@.tmp && mkdir -p $@.tmp
	tar -xJf $(UNGDC_TAR) -C $@.tmp --strip-components=2 --wildcards '*Session 70 - 2015/*'
	$(BIN)/python scripts/un_manifest.py $@.tmp    # delegation, date, meeting, id UNGD/70/XXX from the file names
	mv $@.tmp $@

eval-un: $(VENV)/.installed $(UN_2015)/corpus
	$(BIN)/qa eval eval/un-dev.jsonl --corpus $(UN_2015)/corpus --index $(UN_2015)/index --retriever dense,bm25,hybrid
	$(BIN)/qa eval eval/un-test.jsonl --corpus $(UN_2015)/corpus --index $(UN_2015)/index --retriever dense,bm25,hybrid

# The README's quality table: every question set through `qa eval --json` into docs/results/,
# then scripts/quality_table.py writes the table from those files (never copied by hand).
RESULTS := docs/results
quality: $(VENV)/.installed $(UN_2015)/corpus
	mkdir -p $(RESULTS)
	rm -rf $(MIXED) && mkdir -p $(MIXED)
	cp corpus/*.txt corpus/*.meta.json eval/distractors/*.txt $(MIXED)/
	for set in $(OOS_SETS); do for split in dev test; do \
	  $(BIN)/qa eval eval/$$set-$$split.jsonl --corpus $(MIXED) --index index/mixed --retriever dense,bm25,hybrid --json \
	    > $(RESULTS)/$$set-$$split.json || exit 1; \
	done; done
	$(BIN)/qa eval eval/fresh-test.jsonl --corpus $(MIXED) --index index/mixed --retriever dense,bm25,hybrid --json \
	  > $(RESULTS)/fresh-test.json
	$(BIN)/qa eval eval/unanswerable-dev.jsonl --corpus $(MIXED) --index index/mixed --retriever dense,bm25,hybrid --json \
	  > $(RESULTS)/unanswerable-dev.json
	for set in chat7 chat8; do \
	  $(BIN)/qa eval eval/$$set-dev.jsonl --corpus $(MIXED) --index index/mixed --retriever dense,bm25,hybrid --json \
	    > $(RESULTS)/$$set-dev.json || exit 1; \
	done
	for set in un un2 un3 un4 un5 un6 un7 un8 un9 un10 un11 un12 un13; do for split in dev test; do \
	  $(BIN)/qa eval eval/$$set-$$split.jsonl --corpus $(UN_2015)/corpus --index $(UN_2015)/index --retriever dense,bm25,hybrid --json \
	    > $(RESULTS)/$$set-$$split.json || exit 1; \
	done; done
	for set in rules-un regions-un rules9-un; do \
	  $(BIN)/qa eval eval/$$set-test.jsonl --corpus $(UN_2015)/corpus --index $(UN_2015)/index --retriever dense,bm25,hybrid --json \
	    > $(RESULTS)/$$set-test.json || exit 1; \
	done
	for set in rules-mixed rules9-mixed; do \
	  $(BIN)/qa eval eval/$$set-test.jsonl --corpus $(MIXED) --index index/mixed --retriever dense,bm25,hybrid --json \
	    > $(RESULTS)/$$set-test.json || exit 1; \
	done
	$(BIN)/qa eval eval/osce-dev.jsonl --retriever dense,bm25,hybrid --json > $(RESULTS)/osce-dev.json
	$(BIN)/qa eval eval/osce-heldout.jsonl --retriever dense,bm25,hybrid --json > $(RESULTS)/osce-heldout.json
	$(BIN)/python scripts/quality_table.py

bench-scifact: $(VENV)/.installed
	$(BIN)/qa eval ../shared/benchmarks/scifact --retriever dense,bm25,hybrid

# Indexing at scale (docs/indexing.md): embedding throughput of `qa index` vs the raw model on
# one UN General Debate session, the vector store's recall/latency and build cost, random kills.
UNGDC ?= /work/ungdc/ungdc-1946-2024
UN_SESSION ?= Session 70 - 2015
bench-embed: $(VENV)/.installed
	rm -rf /tmp/qa-bench-embed && mkdir -p /tmp/qa-bench-embed && cp "$(UNGDC)/$(UN_SESSION)"/*.txt /tmp/qa-bench-embed/
	$(BIN)/python -m qa.embedding --bench /tmp/qa-bench-embed

bench-index: $(VENV)/.installed
	$(BIN)/python scripts/bench_index.py --recall 100000 --build 100000

kill-build: $(VENV)/.installed
	$(BIN)/python scripts/kill_build.py --kills 10

# The query path at 10k, 100k and 1M passages (docs/scale.md): build time, disk, load, RSS,
# ask p50/p95/p99 vs the raw floor; appends a table to docs/scale.md. About 25 min for
# 10k+100k on 2 shared cores; 1M adds about 1.5-3 h (SIZES=10k,100k to leave it out).
SIZES ?= 10k,100k,1m
bench-scale: $(VENV)/.installed
	$(BIN)/python -m qa bench --sizes $(SIZES)

clean:
	rm -rf $(VENV) index/versions index/CURRENT index/beir-*
