# `import htcondor` for the upstream credmon modules: HTCondor 25's PyPI wheel ships only the version-2 bindings
# (`htcondor2`), which is what HTCondor's own credmon moved to (its utils already import `htcondor2 as htcondor`).
# The names the credmon modules use, re-exported unchanged.
from htcondor2 import (  # noqa: F401
    LogLevel, SubsystemType, enable_debug, enable_log, log, param, reload_config, set_ready_state, set_subsystem,
)
