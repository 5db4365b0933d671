// DTMF basics shared by the RFC 4733 receiver and sender, the in-band detector and the tone
// generator: the 16 keys, their RFC 4733 event codes and their two frequencies, and the
// "key went down / came up" edges the detectors report to their endpoint.
#pragma once
#include <cstdint>

namespace sy {

enum class DtmfMethod { kRfc4733, kInband };
const char* DtmfMethodName(DtmfMethod m);

// Which receive paths report digits (per endpoint).
enum class DtmfDetect {
  kAuto,     // RFC 4733 always; in-band only while no telephone-event payload type is negotiated
  kInband,   // in-band only
  kRfc4733,  // RFC 4733 only
  kOff,
};

// RFC 4733 §3.2: events 0-9 are the digits, 10 '*', 11 '#', 12-15 'A'-'D'.
// Returns -1 for anything else ('a'-'d' are accepted as 'A'-'D').
int DtmfEventCode(char digit);
// The key of an event code 0-15, or 0 for other codes.
char DtmfDigit(int eventCode);

// The low (row) and high (column) frequency of a key (ITU-T Q.23), by event code 0-15.
struct DtmfPair {
  double low;
  double high;
};
DtmfPair DtmfFrequencies(int eventCode);

constexpr int kDtmfRows = 4;
constexpr int kDtmfColumns = 4;
extern const double kDtmfRowHz[kDtmfRows];        // 697 770 852 941
extern const double kDtmfColumnHz[kDtmfColumns];  // 1209 1336 1477 1633
// The key at a row and column of the keypad.
char DtmfKeyAt(int row, int column);

// A key press seen by a detector: it went down, or came up after durationMs.
struct DtmfEdge {
  bool down = false;
  char digit = 0;
  DtmfMethod method = DtmfMethod::kRfc4733;
  uint32_t durationMs = 0;  // for an up edge
};

// The edges one packet or one frame can produce (at most: end of the previous key, start
// and end of a new one).
struct DtmfEdges {
  static constexpr int kMax = 4;
  DtmfEdge items[kMax];
  int count = 0;
  void Add(const DtmfEdge& e) {
    if (count < kMax) items[count++] = e;
  }
};

}  // namespace sy
