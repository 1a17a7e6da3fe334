//! `newsmark export --format text|jsonl`: the plain text of §8, and JSON
//! lines with each document's plain text, tags and referenced definitions.
