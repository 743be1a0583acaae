#include "dopa/nn/recurrent_core.h"

#include "dopa/core/error.h"
#include "dopa/nn/plastic_rnn.h"
#include "dopa/nn/standard_cores.h"

namespace dopa::nn {

ConfigSchema core_config_keys(const std::string& default_type, int64_t default_hidden) {
  return {
      {"core", default_type, "recurrent core (mlp: feedforward)",
       {"rnn", "lstm", "gru", "mlp", "plastic", "modplast", "modul"}},
      {"hidden", default_hidden, "units in the core"},
      {"trace_rule", "clip", "Hebbian trace rule (plastic cores; decay and oja: plastic only)",
       {"clip", "soft", "decay", "oja"}},
      {"trace_clip", 1.0, "bound of the Hebbian trace (clip and soft rules)"},
      {"modulator", "learned", "neuromodulator of modplast/modul: learned (Backpropamine), dopamine (TD error), both",
       {"learned", "dopamine", "both"}},
      {"fanout", false, "per-neuron modulation eta_i = f_i M + g_i (simplemaze form)"},
      {"init_scale", 0.01, "W and alpha ~ init_scale * U[0,1) (plastic and rnn cores)"},
      {"init_gain", 1.0, "lstm and gru: their weights start at init_gain x LibTorch's U(-1/sqrt(hidden), 1/sqrt(hidden))"},
      {"eta_init", 0.01, "initial plasticity rate eta (plastic) / eta_E (modul)"},
      {"fused", true, "plastic and lstm cores: fused episode kernel with a hand-written backward (false: autograd)"},
  };
}

CoreOptions core_options(const Config& config, int64_t inputs) {
  CoreOptions o;
  o.type = config.get_string("core");
  o.inputs = inputs;
  o.hidden = config.get_int("hidden");
  o.trace_rule = config.get_string("trace_rule");
  o.trace_clip = config.get_float("trace_clip");
  o.modulator = config.get_string("modulator");
  o.fanout = config.get_bool("fanout");
  o.init_scale = config.get_float("init_scale");
  o.init_gain = config.get_float("init_gain");
  o.eta_init = config.get_float("eta_init");
  o.fused = config.get_bool("fused");
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
  if (o.type == "lstm") return std::make_shared<LstmCore>(o.inputs, o.hidden, o.init_gain, o.fused);
  if (o.type == "gru") return std::make_shared<GruCore>(o.inputs, o.hidden, o.init_gain);
  if (o.type == "rnn") return std::make_shared<ElmanCore>(o.inputs, o.hidden, o.init_scale);
  if (o.type == "mlp") return std::make_shared<MlpCore>(o.inputs, o.hidden);
  if (o.type == "plastic" || o.type == "modplast" || o.type == "modul") return std::make_shared<PlasticRnn>(o);
  throw Error("unknown core '" + o.type + "'; valid: rnn, lstm, gru, mlp, plastic, modplast, modul");
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
