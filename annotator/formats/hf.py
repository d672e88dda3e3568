"""`hf`: a folder that Hugging Face `datasets` loads as it is.

    out/data.jsonl         one row per document: id, text, tokens, ner_tags, spans
    out/label_names.json   the tag names, index = the integer in ner_tags
    out/README.md          a dataset card whose YAML header names data.jsonl and declares
                           ner_tags as a ClassLabel, so `load_dataset("out")` knows the names

`tokens` are the words only (whitespace tokens dropped, as in CoNLL); `ner_tags` follow
`--scheme` (IOB2 by default) with the overlap policy of `conll`. `spans` keep every span,
overlapping or not, with character offsets into `text` and word indices into `tokens`
(`token_end` inclusive), for span-based models.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from annotator.core.files import NewFolder, write_folder_atomically
from annotator.formats import Format
from annotator.formats.documents import Document
from annotator.formats.export import ExportOptions
from annotator.formats.tags import labels_in_order, tag_names, token_tags

DATA_FILE = "data.jsonl"
LABELS_FILE = "label_names.json"
CARD_FILE = "README.md"


def export(documents: Iterable[Document], out: Path, options: ExportOptions) -> None:
    labels = labels_in_order(options.schema)

    def rows() -> Iterable[dict[str, Any]]:
        tag_ids = {tag: index for index, tag in enumerate(tag_names(labels, options.scheme))}
        for document in documents:
            for label in sorted({span.label for span in document.spans} - set(labels)):
                labels.append(label)
                tag_ids = {tag: index for index, tag in enumerate(tag_names(labels, options.scheme))}
            yield _row(document, options, tag_ids)

    def fill(folder: NewFolder) -> None:
        import jsonlines

        folder.write(DATA_FILE, lambda handle: jsonlines.Writer(handle).write_all(rows()))
        names = tag_names(labels, options.scheme)
        folder.write(LABELS_FILE, json.dumps(names, ensure_ascii=False, indent=1) + "\n")
        folder.write(CARD_FILE, _card(names, labels, options))

    write_folder_atomically(out, fill)


def _row(document: Document, options: ExportOptions, tag_ids: dict[str, int]) -> dict[str, Any]:
    tags = token_tags(document.tokens, document.spans, options.scheme, options.report.dropped_overlaps)
    word_index: dict[int, int] = {}
    words: list[str] = []
    ner_tags: list[int] = []
    for index, (token, tag) in enumerate(zip(document.tokens, tags)):
        if token["text"].isspace():
            continue
        word_index[index] = len(words)
        words.append(token["text"])
        ner_tags.append(tag_ids[tag])
    spans = [{"start": s.start, "end": s.end, "token_start": word_index[s.token_start],
              "token_end": word_index[s.token_end], "label": s.label, "text": s.text}
             for s in document.spans]
    return {"id": document.id, "text": document.text, "tokens": words, "ner_tags": ner_tags, "spans": spans}


def _card(names: list[str], labels: list[str], options: ExportOptions) -> str:
    class_names = "\n".join(f"          '{index}': {json.dumps(name)}" for index, name in enumerate(names))
    schema = options.schema
    title = f"{schema.name} (version {schema.version})" if schema is not None else "annotator export"
    return f"""---
configs:
- config_name: default
  data_files:
  - split: train
    path: {DATA_FILE}
dataset_info:
  features:
  - name: id
    dtype: string
  - name: text
    dtype: string
  - name: tokens
    sequence: string
  - name: ner_tags
    sequence:
      class_label:
        names:
{class_names}
  - name: spans
    list:
    - name: start
      dtype: int64
    - name: end
      dtype: int64
    - name: token_start
      dtype: int64
    - name: token_end
      dtype: int64
    - name: label
      dtype: string
    - name: text
      dtype: string
---

# {title}

Exported by `annotator export --format hf` at {options.level} level, tags in {options.scheme.upper()}.

- `tokens`: the words of `text` (whitespace dropped); `ner_tags`: one tag id per word, names in
  `{LABELS_FILE}` (index = id). Overlapping spans keep the longest, then the earliest.
- `spans`: every span with character offsets into `text` (Python code points, end exclusive) and
  word indices into `tokens` (`token_end` inclusive).

Labels: {", ".join(labels) or "(none)"}.

```python
from datasets import load_dataset
dataset = load_dataset("path/to/this/folder")
```
"""


FORMAT = Format(name="hf", suffix="-hf", export=export, folder_holds=(DATA_FILE, LABELS_FILE, CARD_FILE))
