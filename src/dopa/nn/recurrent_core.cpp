#include "dopa/nn/recurrent_core.h"

#include "dopa/core/error.h"
#include "dopa/nn/plastic_rnn.h"
#include "dopa/nn/standard_cores.h"

namespace dopa::nn {

SettingsTable<CoreOptions> core_settings(CoreKind default_kind, int64_t default_hidden) {
  using O = CoreOptions;
  return {
      setting(&O::type, "core", default_kind, "recurrent core (mlp: feedforward)"),
      setting(&O::hidden, "hidden", default_hidden, "units in the core (of each tower for mlp)", at_least(1)),
      setting(&O::trace_rule, "trace_rule", TraceRule::Clip,
              "Hebbian trace rule (plastic cores; decay and oja: plastic only)"),
      setting(&O::trace_clip, "trace_clip", 1.0, "bound of the Hebbian trace (clip and soft rules)", positive()),
      setting(&O::modulator, "modulator", ModulatorSource::Learned,
              "neuromodulator of modplast/modul: learned (Backpropamine), dopamine (TD error), both"),
      setting(&O::fanout, "fanout", false, "per-neuron modulation eta_i = f_i M + g_i (simplemaze form)"),
      setting(&O::init_scale, "init_scale", 0.01, "W and alpha ~ init_scale * U[0,1) (plastic and rnn cores)"),
      setting(&O::init_gain, "init_gain", 1.0,
              "lstm and gru: their weights start at init_gain x LibTorch's U(-1/sqrt(hidden), 1/sqrt(hidden))",
              positive()),
      setting(&O::eta_init, "eta_init", 0.01, "initial plasticity rate eta (plastic) / eta_E (modul)"),
      setting(&O::fused, "fused", true,
              "plastic and lstm cores: fused episode kernel with a hand-written backward (false: autograd)"),
  };
}

ConfigSchema core_config_keys(CoreKind default_kind, int64_t default_hidden) {
  return core_settings(default_kind, default_hidden).schema();
}

CoreOptions core_options(const Config& config, int64_t inputs) {
  static const SettingsTable<CoreOptions> table = core_settings(CoreKind::Lstm, 48);  // the defaults are not read
  CoreOptions o = table.read(config, "core");
  o.inputs = inputs;
  return o;
}

torch::Tensor RecurrentCore::unroll(const torch::Tensor& x, const torch::Tensor& dopamine, torch::Tensor* modulators,
                                   const RolloutTape*) {
  const int64_t T = x.size(0);
  CoreState state = initial_state(x.size(1));
  std::vector<torch::Tensor> outputs, recorded;
  for (int64_t t = 0; t < T; ++t) {
    DopamineFn signal;
    if (dopamine.defined()) signal = [&](const torch::Tensor&) { return dopamine[t]; };
    outputs.push_back(step(x[t], state, signal));
    if (modulators && state.modulator.defined()) recorded.push_back(state.modulator);
  }
  if (modulators && !recorded.empty()) *modulators = torch::stack(recorded);
  return torch::stack(outputs);
}

std::shared_ptr<RecurrentCore> make_core(const CoreOptions& o) {
  if (o.hidden < 1) throw Error("core 'hidden' must be >= 1, got " + std::to_string(o.hidden));
  if (o.inputs < 1) throw Error("a core needs at least one input");
  if (!(o.init_gain > 0)) throw Error("core 'init_gain' must be > 0");
  switch (o.type) {
    case CoreKind::Lstm: return std::make_shared<LstmCore>(o.inputs, o.hidden, o.init_gain, o.fused);
    case CoreKind::Gru: return std::make_shared<GruCore>(o.inputs, o.hidden, o.init_gain);
    case CoreKind::Rnn: return std::make_shared<ElmanCore>(o.inputs, o.hidden, o.init_scale);
    case CoreKind::Mlp: return std::make_shared<MlpCore>(o.inputs, o.hidden);
    case CoreKind::Plastic:
    case CoreKind::ModPlast:
    case CoreKind::Modul: return std::make_shared<PlasticRnn>(o);
  }
  throw Error("unknown core kind");
}

CoreState detach_state(const CoreState& state) {
  CoreState out = state;
  for (auto& t : out.tensors) t = t.detach();
  return out;
}

CoreState clone_state(const CoreState& state) {
  CoreState out = state;
  for (auto& t : out.tensors) t = t.detach().clone();
  out.tape = nullptr;
  return out;
}

CoreState mask_state(const CoreState& state, const torch::Tensor& keep) {
  CoreState out = state;
  for (auto& t : out.tensors) {
    std::vector<int64_t> shape(t.dim(), 1);
    shape[0] = keep.size(0);
    t = t * keep.reshape(shape);
  }
  return out;
}

CoreState select_rows(const CoreState& state, const torch::Tensor& index) {
  CoreState out = state;
  for (auto& t : out.tensors) t = t.index_select(0, index);
  if (out.modulator.defined()) out.modulator = out.modulator.index_select(0, index);
  out.tape = nullptr;
  return out;
}

int64_t parameter_count(const torch::nn::Module& module) {
  int64_t n = 0;
  for (const auto& p : module.parameters()) n += p.numel();
  return n;
}

}  // namespace dopa::nn
