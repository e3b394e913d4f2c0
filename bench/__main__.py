import os
import sys

from bench.run import main

# The benchmark's stacks run on the repository's development secrets.
os.environ.setdefault("GLO_ACT_ENV", "development")
sys.exit(main(sys.argv[1:]))
