"""``python -m taizhang``."""

from .cli import main

# Guarded: on Windows the merge's worker processes import the main module again.
if __name__ == "__main__":
    main()
