"""``python -m taizhang``."""

from .cli import run

# Guarded: on Windows the merge's worker processes import the main module again.
if __name__ == "__main__":
    run()
