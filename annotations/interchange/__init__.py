"""Annotations in and out of Hamish: Hamish JSON (the product's contract), CoNLL/BIO, doccano JSONL, W3C Web Annotation."""
