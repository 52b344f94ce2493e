"""`python -m callnext.bench`: the load benchmark (bench/load.py), the same as `callnext bench`."""

import sys

from .load import main

sys.exit(main())
