"""``python -m corpus_tools`` runs the ``corpus-tools`` command line."""
import sys

from corpus_tools.cli import main

sys.exit(main())
