"""Arrow and Parquet: documents as a ``pyarrow.Table`` (one row per
article, tags as a nested list), a Parquet file, and a Hugging Face dataset
folder (Parquet plus a ``README.md`` dataset card that declares its
features), loadable with ``datasets.load_dataset(FOLDER)``."""

from __future__ import annotations

import os
from typing import Any, Iterable, List, Optional, Union

from ._types import Document

PathLike = Union[str, "os.PathLike[str]"]


def schema() -> Any:
    """The Arrow schema of ``to_table``."""
    import pyarrow as pa

    entity = pa.struct(
        [
            ("id", pa.string()),
            ("kind", pa.string()),
            ("name", pa.string()),
            ("wikidata", pa.string()),
            ("resolved", pa.bool_()),
        ]
    )
    source = pa.struct(
        [
            ("id", pa.string()),
            ("kind", pa.string()),
            ("name", pa.string()),
            ("by", pa.list_(pa.string())),
            ("date", pa.string()),
            ("resolved", pa.bool_()),
        ]
    )
    tag = pa.struct(
        [
            ("start", pa.int64()),
            ("end", pa.int64()),
            ("text", pa.string()),
            ("parent", pa.int64()),
            ("entities", pa.list_(entity)),
            ("sources", pa.list_(source)),
        ]
    )
    return pa.schema([("path", pa.string()), ("text", pa.string()), ("tags", pa.list_(tag))])


def _row(document: Document) -> dict:
    return {
        "path": document.path,
        "text": document.text,
        "tags": [
            {
                "start": t.start,
                "end": t.end,
                "text": t.text,
                "parent": t.parent,
                "entities": [e.__dict__ for e in t.entities],
                "sources": [dict(s.__dict__, by=list(s.by)) for s in t.sources],
            }
            for t in document.tags
        ],
    }


def to_table(documents: Iterable[Document]) -> Any:
    """A ``pyarrow.Table`` with columns ``path``, ``text`` (plain text) and
    ``tags`` (start, end, text, parent, entities, sources; offsets index
    ``text`` as Python does)."""
    import pyarrow as pa

    return pa.Table.from_pylist([_row(d) for d in documents], schema=schema())


def write_parquet(documents: Iterable[Document], path: PathLike) -> int:
    """Writes ``to_table(documents)`` as a Parquet file; returns the row count."""
    import pyarrow.parquet as pq

    table = to_table(documents)
    pq.write_table(table, os.fspath(path))
    return table.num_rows


def _yaml_features(fields: Iterable[Any], indent: str) -> List[str]:
    """Hugging Face ``dataset_info.features`` YAML of Arrow fields."""
    import pyarrow as pa

    dtypes = {pa.string(): "string", pa.int64(): "int64", pa.bool_(): "bool"}
    lines = []
    for field in fields:
        lines.append(f"{indent}- name: {field.name}")
        lines.extend(_yaml_type(field.type, indent + "  ", dtypes))
    return lines


def _yaml_type(arrow_type: Any, indent: str, dtypes: dict) -> List[str]:
    import pyarrow as pa

    if pa.types.is_list(arrow_type):
        item = arrow_type.value_type
        if pa.types.is_struct(item):
            return [f"{indent}list:"] + _yaml_features(list(item), indent)
        return [f"{indent}list: {dtypes[item]}"]
    return [f"{indent}dtype: {dtypes[arrow_type]}"]


def dataset_card(name: str, description: Optional[str] = None) -> str:
    """The ``README.md`` of a dataset folder written by ``write_dataset``."""
    header = [
        "---",
        "configs:",
        "- config_name: default",
        "  data_files:",
        "  - split: train",
        "    path: data/train-*.parquet",
        "dataset_info:",
        "  features:",
        *_yaml_features(list(schema()), "  "),
        "task_categories:",
        "- token-classification",
        "tags:",
        "- newsmark",
        "- named-entity-recognition",
        "- entity-linking",
        "---",
    ]
    body = f"""
# {name}

{description or "News articles tagged with Newsmark, exported with the `newsmark` Python package."}

One row per article:

* `path`: the article's path in its Newsmark workspace;
* `text`: its plain text (Newsmark spec §8: tags, comments, definitions and
  front matter removed);
* `tags`: every tag, with `start` and `end` indexing `text` in characters
  (`text[start:end] == tag.text`), `parent` (the index of the innermost tag
  containing it), the `entities` it references (`id`, `kind`, `name`,
  `wikidata`, `resolved`) and the `sources` (`id`, `kind`, `name`, `by`,
  `date`, `resolved`).
"""
    return "\n".join(header) + "\n" + body


def write_dataset(
    documents: Iterable[Document], folder: PathLike, name: str = "newsmark-corpus", description: Optional[str] = None
) -> int:
    """Writes a Hugging Face dataset folder: ``data/train-00000-of-00001.parquet``
    and a ``README.md`` dataset card declaring the features. Returns the
    row count."""
    folder = os.fspath(folder)
    os.makedirs(os.path.join(folder, "data"), exist_ok=True)
    rows = write_parquet(documents, os.path.join(folder, "data", "train-00000-of-00001.parquet"))
    with open(os.path.join(folder, "README.md"), "w", encoding="utf-8") as card:
        card.write(dataset_card(name, description))
    return rows
