// Makes the library a dopa plugin: `dopa --plugin libcontextual_bandit.so ...`.
#include "dopa/core/plugin.h"

DOPA_PLUGIN();
