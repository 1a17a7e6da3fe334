"""Reads a JUnit XML report with junitparser (a JUnit consumer from PyPI)
and prints one line per suite and per test case, for tests/cli_fix.rs."""

import sys

from junitparser import Failure, JUnitXml

xml = JUnitXml.fromfile(sys.argv[1])
for suite in xml:
    print(f"suite {suite.name}: {suite.tests} tests, {suite.failures} failures")
    for case in suite:
        failures = [r for r in case.result if isinstance(r, Failure)]
        if failures:
            print(f"{case.name} failed {failures[0].message}")
        else:
            print(f"{case.name} passed")
