#include "dtmf.h"

namespace sy {

const double kDtmfRowHz[kDtmfRows] = {697, 770, 852, 941};
const double kDtmfColumnHz[kDtmfColumns] = {1209, 1336, 1477, 1633};

namespace {
// The keypad, row by row (Q.23).
constexpr char kKeypad[kDtmfRows][kDtmfColumns + 1] = {"123A", "456B", "789C", "*0#D"};
// RFC 4733 §3.2 event code → key.
constexpr char kEventKeys[] = "0123456789*#ABCD";
}  // namespace

const char* DtmfMethodName(DtmfMethod m) { return m == DtmfMethod::kRfc4733 ? "rfc4733" : "inband"; }

int DtmfEventCode(char digit) {
  if (digit >= 'a' && digit <= 'd') digit = static_cast<char>(digit - 'a' + 'A');
  for (int i = 0; i < 16; ++i) {
    if (kEventKeys[i] == digit) return i;
  }
  return -1;
}

char DtmfDigit(int eventCode) { return eventCode >= 0 && eventCode < 16 ? kEventKeys[eventCode] : 0; }

char DtmfKeyAt(int row, int column) { return kKeypad[row][column]; }

DtmfPair DtmfFrequencies(int eventCode) {
  const char key = DtmfDigit(eventCode);
  for (int r = 0; r < kDtmfRows; ++r) {
    for (int c = 0; c < kDtmfColumns; ++c) {
      if (kKeypad[r][c] == key) return {kDtmfRowHz[r], kDtmfColumnHz[c]};
    }
  }
  return {0, 0};
}

}  // namespace sy
