// Pitch-preserving time-scale change of one 20 ms frame, for the jitter buffer to move its
// playout point during speech: one pitch period is removed from, or inserted into, the audio,
// with a linear crossfade over that period (the overlap-add of WSOLA, one period at a time).
// The period is the lag of best normalized autocorrelation. A periodic sound (a voiced vowel,
// a tone) comes out at its own pitch and phase; the depth moves by 2.5-10 ms per frame.
#pragma once
#include <cstddef>
#include <cstdint>

#include "pcm.h"

namespace sy {

constexpr size_t kMinPeriod = 20;  // 2.5 ms: a 400 Hz fundamental
constexpr size_t kMaxPeriod = 80;  // 10 ms: 100 Hz
// Samples a period search looks at: the lag is tried over one frame.
constexpr size_t kPeriodSpan = kFrameSamples + kMaxPeriod;

// The lag at which `audio` (kPeriodSpan samples) best repeats itself, or 0 when nothing
// repeats well enough (noise, a transient). The jitter buffer asks it of the audio ahead of
// the playout point (a period to remove) and of the history played (a period to repeat).
size_t RepeatPeriod(const int16_t* audio);

// One frame from kFrameSamples + period samples of `in`: the first period crossfades into
// the second, the rest follows.
void RemovePeriod(const int16_t* in, size_t period, int16_t* out);

// One frame from kFrameSamples - period samples of `in`, played after `history` (as above):
// the last period played is repeated, crossfading into `in`.
void InsertPeriod(const int16_t* history, const int16_t* in, size_t period, int16_t* out);

}  // namespace sy
