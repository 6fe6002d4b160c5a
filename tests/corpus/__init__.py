"""The acceptance corpus of issue 7: realistic ledgers with their ground truth.

``cases.CASES`` describes each ledger; ``writer.write_case`` writes it with openpyxl; ``spec`` computes
what a careful human reads in it. ``tests/test_corpus.py`` builds the whole corpus once per session.
"""
