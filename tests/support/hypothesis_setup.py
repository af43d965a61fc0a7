"""What the property-based tests (Hypothesis) share: where its cache goes, the settings every
property runs with, and the characters a browser could send."""

import tempfile
from pathlib import Path

from hypothesis import HealthCheck
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

# Hypothesis keeps a cache of Unicode tables; it goes to the temporary folder, not the project.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "practice-hypothesis")

# Deadlines off: the machine is shared and a slow example is not a failure. No example
# database either, so a run leaves nothing behind in the project.
PROPERTY = {"deadline": None, "database": None}
WITH_FIXTURES = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]

# Any character a Python str can carry to the renderer or over HTTP (lone surrogates cannot be
# encoded as UTF-8, so no browser could send them).
ANY_CHARACTER = st.characters(codec="utf-8")
ANY_TEXT = st.text(ANY_CHARACTER, max_size=40)
