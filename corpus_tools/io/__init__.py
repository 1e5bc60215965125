"""Readers: files of news articles -> the ``docs`` DataFrame, and the load report."""
from corpus_tools.io.files import load
from corpus_tools.io.report import load_report

__all__ = ["load", "load_report"]
