// G.711 (ITU-T, 11/88) µ-law and A-law companding between 8-bit code words and linear
// 16-bit PCM. Linear samples are the standard's 14-bit (µ-law) / 13-bit (A-law) uniform
// codes left-justified in 16 bits, the convention of the ITU-T G.191 reference tools.
#pragma once
#include <cstddef>
#include <cstdint>

namespace sy {

uint8_t UlawEncode(int16_t sample);
int16_t UlawDecode(uint8_t code);
uint8_t AlawEncode(int16_t sample);
int16_t AlawDecode(uint8_t code);

void UlawEncodeBlock(const int16_t* in, uint8_t* out, size_t n);
void UlawDecodeBlock(const uint8_t* in, int16_t* out, size_t n);
void AlawEncodeBlock(const int16_t* in, uint8_t* out, size_t n);
void AlawDecodeBlock(const uint8_t* in, int16_t* out, size_t n);

}  // namespace sy
