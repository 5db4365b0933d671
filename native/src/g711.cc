// G.711 companding by the standard's segment rule, applied through tables built from it once
// at load time: decoding by code word (256 entries), encoding by magnitude (the µ-law rule
// looks at 14 bits of it: 8,192 entries; A-law at 11: 2,048), so a sample costs one lookup
// and its sign instead of a segment search (the encoder runs on every sample we send).
#include "g711.h"

#include <array>

namespace sy {
namespace {

// Index of the highest set bit of v (v > 0).
inline int HighBit(unsigned v) { return 31 - __builtin_clz(v); }

// Magnitude of a negative sample in the one's-complement sense the reference uses:
// -1 and 0 fall into the same quantisation interval, mirrored around -1/2.
inline int Magnitude(int16_t s) { return s < 0 ? ~static_cast<int>(s) : s; }

int16_t UlawDecodeRule(uint8_t code) {
  const unsigned c = static_cast<uint8_t>(~code);
  const int segment = (c >> 4) & 7;
  const int step = c & 0x0F;
  // 14-bit output: (2 * step + 33) << segment, minus the bias 33; then left-justified.
  const int magnitude14 = (((2 * step + 33) << segment) - 33);
  const int v = magnitude14 * 4;
  return static_cast<int16_t>((c & 0x80) ? -v : v);
}

int16_t AlawDecodeRule(uint8_t code) {
  const unsigned c = code ^ 0x55;
  const int segment = (c >> 4) & 7;
  const int step = c & 0x0F;
  // 13-bit output: middle of the interval; segments 0 and 1 share the same step size.
  int magnitude13 = segment == 0 ? (2 * step + 1) : ((2 * step + 33) << (segment - 1));
  const int v = magnitude13 * 8;
  return static_cast<int16_t>((c & 0x80) ? v : -v);
}

uint8_t UlawEncodeRule(int16_t sample) {
  // 14-bit magnitude plus the bias 33, clipped at the top of the last segment.
  int m = (Magnitude(sample) >> 2) + 33;
  if (m > 0x1FFF) m = 0x1FFF;
  const int segment = HighBit(static_cast<unsigned>(m)) - 5;  // 33..63 → 0 ... 4096..8191 → 7
  const int step = (m >> (segment + 1)) & 0x0F;
  const int negative = sample < 0 ? 0x80 : 0x00;
  // Code words are transmitted inverted: positive zero is 0xFF.
  return static_cast<uint8_t>(~(negative | (segment << 4) | step));
}

uint8_t AlawEncodeRule(int16_t sample) {
  const int m = Magnitude(sample) >> 4;  // 13-bit magnitude in units of 2: 0..2047
  int code;
  if (m < 32) {
    code = m;  // segments 0 and 1 share the step size 2: the code is the magnitude itself
  } else {
    const int segment = HighBit(static_cast<unsigned>(m)) - 3;  // 32..63 → 2 ... 1024..2047 → 7
    code = (segment << 4) | ((m >> (segment - 1)) & 0x0F);
  }
  if (sample >= 0) code |= 0x80;
  return static_cast<uint8_t>(code ^ 0x55);  // even bits inverted for transmission
}

// The encoders' tables hold the code word of a positive sample; a negative one of the same
// magnitude differs only in the sign bit (clear in µ-law, whose code words are sent
// inverted; clear in A-law too, set there for positive samples).
constexpr int kUlawShift = 2;  // the µ-law rule drops the 2 low bits of the magnitude
constexpr int kAlawShift = 4;  // the A-law rule drops 4
constexpr uint8_t kSignBit = 0x80;

struct Tables {
  std::array<int16_t, 256> ulaw{};
  std::array<int16_t, 256> alaw{};
  std::array<uint8_t, (32768 >> kUlawShift)> ulawEncode{};
  std::array<uint8_t, (32768 >> kAlawShift)> alawEncode{};
  Tables() {
    for (int i = 0; i < 256; ++i) {
      ulaw[i] = UlawDecodeRule(static_cast<uint8_t>(i));
      alaw[i] = AlawDecodeRule(static_cast<uint8_t>(i));
    }
    for (size_t m = 0; m < ulawEncode.size(); ++m) ulawEncode[m] = UlawEncodeRule(static_cast<int16_t>(m << kUlawShift));
    for (size_t m = 0; m < alawEncode.size(); ++m) {
      alawEncode[m] = static_cast<uint8_t>(AlawEncodeRule(static_cast<int16_t>(m << kAlawShift)) & ~kSignBit);
    }
  }
};

const Tables& tables() {
  static const Tables t;
  return t;
}

inline uint8_t UlawEncodeWith(const Tables& t, int16_t sample) {
  const uint8_t code = t.ulawEncode[static_cast<unsigned>(Magnitude(sample)) >> kUlawShift];
  return sample < 0 ? static_cast<uint8_t>(code & ~kSignBit) : code;
}

inline uint8_t AlawEncodeWith(const Tables& t, int16_t sample) {
  const uint8_t code = t.alawEncode[static_cast<unsigned>(Magnitude(sample)) >> kAlawShift];
  return sample < 0 ? code : static_cast<uint8_t>(code | kSignBit);
}

}  // namespace

uint8_t UlawEncode(int16_t sample) { return UlawEncodeWith(tables(), sample); }
uint8_t AlawEncode(int16_t sample) { return AlawEncodeWith(tables(), sample); }
int16_t UlawDecode(uint8_t code) { return tables().ulaw[code]; }
int16_t AlawDecode(uint8_t code) { return tables().alaw[code]; }

void UlawEncodeBlock(const int16_t* in, uint8_t* out, size_t n) {
  const Tables& t = tables();
  for (size_t i = 0; i < n; ++i) out[i] = UlawEncodeWith(t, in[i]);
}
void UlawDecodeBlock(const uint8_t* in, int16_t* out, size_t n) {
  const auto& t = tables().ulaw;
  for (size_t i = 0; i < n; ++i) out[i] = t[in[i]];
}
void AlawEncodeBlock(const int16_t* in, uint8_t* out, size_t n) {
  const Tables& t = tables();
  for (size_t i = 0; i < n; ++i) out[i] = AlawEncodeWith(t, in[i]);
}
void AlawDecodeBlock(const uint8_t* in, int16_t* out, size_t n) {
  const auto& t = tables().alaw;
  for (size_t i = 0; i < n; ++i) out[i] = t[in[i]];
}

}  // namespace sy
