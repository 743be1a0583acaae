// The kinds of recurrent core, their Hebbian trace rules and their modulator's sources
// (recurrent_core.h and plastic_rnn.h say what each is). Only the enums: the fused kernels use them
// without the rest of dopa; their names as settings are in recurrent_core.h.
#pragma once

namespace dopa::nn {

enum class CoreKind { Rnn, Lstm, Gru, Mlp, Plastic, ModPlast, Modul };
enum class TraceRule { Clip, Soft, Decay, Oja };
enum class ModulatorSource { Learned, Dopamine, Both };

inline bool is_plastic(CoreKind kind) {
  return kind == CoreKind::Plastic || kind == CoreKind::ModPlast || kind == CoreKind::Modul;
}
inline bool has_modulator(CoreKind kind) { return kind == CoreKind::ModPlast || kind == CoreKind::Modul; }

}  // namespace dopa::nn
