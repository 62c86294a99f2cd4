"""Data generators and load scripts, kept out of the product.

The scripts run as files (``.venv/bin/python bench/forum_data.py``). The folder is also a
package so that tests can use a generator (``bench.forum_seed``): pytest puts the repository's
root on ``sys.path`` (``pythonpath`` in pyproject.toml).
"""
