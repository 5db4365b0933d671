// Percentiles (tick_stats.h) as the JS object every stats call returns: { p50, p99, max, samples }.
#pragma once
#include <napi.h>

#include "tick_stats.h"

namespace sy {

Napi::Object PercentilesObject(Napi::Env env, const Percentiles& p);

}  // namespace sy
