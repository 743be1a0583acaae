// Conditioning-v0 as tensor operations (core/tensor_env.h): the trials of conditioning.h, every row
// a subject. Per row: the trial count, this trial's cue, whether the US comes and its magnitude.
#include <ATen/ATen.h>

#include "dopa/core/strings.h"
#include "dopa/core/tensor_env.h"

namespace dopa::envs {

namespace {

std::vector<double> number_list(const Config& config, const char* key) {
  return dopa::number_list(config.get_string(key), ',', std::string("Conditioning-v0 kwarg '") + key + "'");
}

class TensorConditioning : public TensorEnv {
 public:
  TensorConditioning(const EnvSpec& spec, int64_t num_envs, const TensorEnvOptions& options)
      : TensorEnv(spec, num_envs, options) {
    const Config& c = spec.config;  // checked by the CPU env that made `spec`
    trial_steps_ = c.get_int("trial_steps");
    cs_onset_ = c.get_int("cs_onset");
    cs_duration_ = c.get_int("cs_duration");
    isi_ = c.get_int("isi");
    omit_every_ = c.get_int("omit_every");
    extinction_trial_ = c.get_int("extinction_trial");
    reward_ = c.get_float("reward");
    reward_prob_ = c.get_float("reward_prob");
    const std::vector<double> cue_probs = number_list(c, "cue_probs");
    cues_ = std::max<int64_t>(1, static_cast<int64_t>(cue_probs.size()));
    if (!cue_probs.empty()) cue_probs_ = at::tensor(cue_probs, at::kDouble).to(device());
    const std::vector<double> sizes = number_list(c, "reward_sizes"), freqs = number_list(c, "reward_freqs");
    if (!sizes.empty()) {
      std::vector<double> cdf;
      double total = 0.0;
      for (double f : freqs) cdf.push_back(total += f);
      for (double& p : cdf) p /= total;
      sizes_ = at::tensor(sizes, at::kDouble).to(device());
      // The draw u picks the first size whose cumulative frequency exceeds u (the last at most).
      size_cdf_ = at::tensor(std::vector<double>(cdf.begin(), cdf.end() - 1), at::kDouble).to(device());
    }
    std::vector<int64_t> onsets;
    for (double onset : number_list(c, "extra_cs_onsets")) onsets.push_back(static_cast<int64_t>(onset));
    extra_onsets_ = at::tensor(onsets, at::kLong).to(device());
    trial_ = at::zeros({num_envs}, long_options());
    cue_ = at::zeros({num_envs}, long_options());
    us_due_ = at::zeros({num_envs}, bool_options());
    magnitude_ = at::zeros({num_envs}, double_options());
  }

 protected:
  void reset_rows(const at::Tensor& rows) override {
    trial_ = trial_ + rows.to(at::kLong);
    if (cue_probs_.defined()) cue_ = at::where(rows, random().integer(cues_, rows), cue_);
    const at::Tensor probability =
        cue_probs_.defined() ? cue_probs_.index({cue_}) : at::full({num_envs()}, reward_prob_, double_options());
    at::Tensor us_due = random().uniform(rows) < probability;
    at::Tensor magnitude = at::full({num_envs()}, reward_, double_options());
    if (sizes_.defined()) {
      const at::Tensor u = random().uniform(rows).unsqueeze(1);
      magnitude = sizes_.index({(u >= size_cdf_.unsqueeze(0)).sum(1)});
    }
    if (omit_every_ > 0) us_due = us_due & (trial_ % omit_every_ != 0);
    if (extinction_trial_ > 0) us_due = us_due & (trial_ < extinction_trial_);
    us_due_ = at::where(rows, us_due, us_due_);
    magnitude_ = at::where(rows, magnitude, magnitude_);
    write_observations();
  }

  void step_rows(const at::Tensor&) override {
    const at::Tensor us = (elapsed_steps() == cs_onset_ + isi_) & us_due_;
    rewards_ = at::where(us, magnitude_, at::zeros_like(magnitude_));
    terminations_ = elapsed_steps() >= trial_steps_;
    write_observations();
  }

 private:
  // One number per CS (the cues, then the extra CSs): 1 while it is on.
  void write_observations() {
    const at::Tensor t = elapsed_steps().unsqueeze(1);
    const auto on_from = [&](const at::Tensor& onset) {
      at::Tensor on = t >= onset;
      if (cs_duration_ > 0) on = on & (t < onset + cs_duration_);
      return on;
    };
    const at::Tensor cue_on = on_from(at::full({1, 1}, cs_onset_, long_options())) &
                              (at::arange(cues_, long_options()).unsqueeze(0) == cue_.unsqueeze(1));
    observations_ = at::cat({cue_on, on_from(extra_onsets_.unsqueeze(0))}, 1).to(at::kFloat);
  }

  int64_t trial_steps_, cs_onset_, cs_duration_, isi_, omit_every_, extinction_trial_, cues_;
  double reward_, reward_prob_;
  at::Tensor cue_probs_, sizes_, size_cdf_, extra_onsets_;  // undefined when the kwarg is empty
  at::Tensor trial_, cue_, us_due_, magnitude_;
};

}  // namespace

DOPA_REGISTER_TENSOR_ENV("Conditioning-v0", [](const EnvSpec& spec, int64_t num_envs, const TensorEnvOptions& options) {
  return std::unique_ptr<TensorEnv>(std::make_unique<TensorConditioning>(spec, num_envs, options));
});

}  // namespace dopa::envs
