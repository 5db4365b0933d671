// Converts a batch of events to a JS array of plain objects ({ type, endpointId?, mixerId?,
// ...numbers, ...strings }). Uses the C API and reports failure instead of throwing: it also
// runs while Node tears the environment down.
#pragma once
#include <node_api.h>

#include "events.h"

namespace sy {

bool EventsToJs(napi_env env, const EventList& events, napi_value* out);

// A Float64Array holding `values`.
bool Float64ArrayToJs(napi_env env, const std::vector<double>& values, napi_value* out);

}  // namespace sy
