"""Scoring many inputs: article files (articles), JSONL record streams (records), Dask
archives (archive). Nothing here prints: messages go to the callbacks the caller gives
(the CLI prints them), results are returned or handed to an output function."""
