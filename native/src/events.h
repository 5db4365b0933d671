// Events that go up to JavaScript. A media thread collects them during a tick and hands the
// batch to an EventSink; the addon delivers batches through one thread-safe function.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace sy {

struct Event {
  const char* type = "";  // a string literal
  uint32_t endpoint = 0;  // 0: none
  uint32_t mixer = 0;     // 0: none
  std::vector<std::pair<const char*, double>> numbers;
  std::vector<std::pair<const char*, std::string>> strings;
  std::vector<double> counters;  // 'closed': the endpoint's counters, kEndpointCounterNames order
};

using EventList = std::vector<Event>;

class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void Deliver(EventList&& events) = 0;  // any thread
};

}  // namespace sy
