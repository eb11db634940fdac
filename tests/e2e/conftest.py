"""The notebooks here are driven by tests/test_e2e_browser.py in a real browser; nbval
does not collect them (they are committed without outputs)."""
collect_ignore_glob = ["*.ipynb"]
