// picoml-alarm: data, training, tuning and evaluation of the smoke/CO-alarm
// detector (see tools/alarm/*.h and scripts/alarm.sh).
//   picoml-alarm generate --out DIR [--count N --snr DB --seed S --split test]
//   picoml-alarm train    [--out out/alarm --clips N --epochs E]    (LibTorch)
//   picoml-alarm tune     --model out/alarm/model.tflite [--model M2]  (validation data)
//   picoml-alarm tune     --replay TRACES --base THRESHOLDS [--margin-below M]  (no audio)
//   picoml-alarm eval     --model out/alarm/model.tflite [--model M2 --hours H] (test data)
// Several --model: an ensemble, the first screening for the others.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "alarm/detector.h"
#include "alarm/evaluate.h"
#include "alarm/generator.h"
#include "host/int8_export.h"
#include "host/model_file.h"
#include "host/wav.h"
#ifdef PICOML_ALARM_TRAINING
#include "alarm/train_alarm.h"
#endif

namespace picoml::alarm {
namespace {

// Creates the folder that `path` goes in (none for a bare file name). Called
// before a long run, so that a path that cannot be written fails at once,
// not after an hour of tuning.
void MakeParentFolder(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
}

void WriteText(const std::string& path, const std::string& text) {
  host::WriteFileAtomically(path, text.data(), text.size());
}

// A float setting as the decimal it was written as (0.3, not 0.30000001).
double AsDecimal(float value) { return std::round(static_cast<double>(value) * 1e6) / 1e6; }

// The models' file names, for the record in thresholds and results files.
std::vector<std::string> ModelNames(const std::vector<std::string>& paths) {
  std::vector<std::string> names;
  for (const std::string& path : paths)
    names.push_back(std::filesystem::path(path).filename().string());
  return names;
}

std::string SplitDir(const std::string& dir, const std::string& split) {
  return (dir.empty() ? DefaultBackgroundDir() : dir) + "/" + split;
}

void Progress(const std::string& line) { std::cerr << line << std::endl; }

// A JSON file; `hint` (what to run first) is added when it cannot be read.
nlohmann::json ReadJson(const std::string& path, const std::string& hint = "") {
  std::ifstream in(path);
  if (!in) throw host::Error(path + ": cannot read" + (hint.empty() ? "" : " (" + hint + ")"));
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw host::Error(path + ": not JSON (" + e.what() + ")");
  }
}

StreamClassifierConfig ConfigWithThreshold(const std::string& thresholds_path, double* goertzel) {
  StreamClassifierConfig config = DefaultAlarmStreamConfig();
  if (!thresholds_path.empty()) {
    const nlohmann::json j = ReadJson(thresholds_path, "run picoml-alarm tune first");
    config.threshold = j.at("cnn_threshold").get<float>();
    // Files from before the averaging was tuned keep the default.
    if (j.contains("cnn_average_inferences"))
      config.average_inferences = j.at("cnn_average_inferences").get<int>();
    // The gate the thresholds were tuned with (alarm_config's before it was
    // written down).
    if (j.contains("ensemble_gate")) config.ensemble_gate = j.at("ensemble_gate").get<float>();
    *goertzel = j.at("goertzel_threshold").get<double>();
  }
  return config;
}

std::string SnrName(double snr_db) { return fmt::format("{:+g} dB", snr_db); }

// The CNN's tuned setting into a thresholds file: what eval and the device
// builds read (threshold, averaging), and the record of how it was chosen.
void SetCnnSetting(nlohmann::json& j, const CnnTuneResult& r, const EvalOptions& options) {
  const TuneCriterion c = CriterionOf(options);
  j["cnn_threshold"] = r.chosen.threshold;
  j["cnn_average_inferences"] = r.chosen.average;
  j["false_alarms_per_day"] = options.false_alarms_per_day;
  j["false_alarm_budget"] = c.budget;
  j["margin_below"] = options.margin_below;
  if (options.margin_below > 0) {
    j["margin_false_alarms_per_day"] = options.margin_false_alarms_per_day;
    j["margin_false_alarm_budget"] = c.margin_budget;
  } else {
    // A replay without the margin of its base: no budget of an unused margin.
    j.erase("margin_false_alarms_per_day");
    j.erase("margin_false_alarm_budget");
  }
  j["cnn_tune_recall"] = r.chosen.recall;
  j["cnn_tune_recall_within_5s"] = r.chosen.recall_5s;
  j["cnn_tune_false_alarms"] = r.chosen.false_alarms;
  j["cnn_false_alarms_below"] = nlohmann::json::array();
  for (const auto& [threshold, false_alarms] : r.false_alarms_below)
    j["cnn_false_alarms_below"].push_back(
        {{"threshold", AsDecimal(static_cast<float>(threshold))}, {"false_alarms", false_alarms}});
  j["cnn_tune_per_snr"] = nlohmann::json::array();
  for (const DetectorResult::Bucket& b : r.per_snr)
    j["cnn_tune_per_snr"].push_back({{"snr_db", b.snr_db},
                                     {"clips", b.clips},
                                     {"detected", b.detected},
                                     {"detected_within_5s", b.detected_5s}});
}

// The CNN's setting as the tuning chose it: the criterion, the setting, its
// detections per SNR and how fast false alarms climb just under it.
void PrintCnnSetting(const CnnTuneResult& r, const EvalOptions& options) {
  const TuneCriterion c = CriterionOf(options);
  std::string criterion =
      fmt::format("at most {} false alarm(s) in {:g} h", c.budget, options.background_hours);
  if (c.margin_below > 0)
    criterion +=
        fmt::format(", at most {} at {:.2f} under the threshold", c.margin_budget, c.margin_below);
  std::cout << fmt::format(
      "CNN: threshold {:.4g} averaged over {} inferences ({}): {} false alarm(s), recall {:.3f}, "
      "within 5 s {:.3f}\n",
      r.chosen.threshold, r.chosen.average, criterion, r.chosen.false_alarms, r.chosen.recall,
      r.chosen.recall_5s);
  int clips = 0, found = 0, prompt = 0;
  std::cout << "  SNR       clips  found  within 5 s\n";
  for (const DetectorResult::Bucket& b : r.per_snr) {
    std::cout << fmt::format("  {:<9} {:>5}  {:>5}  {:>10}\n", SnrName(b.snr_db), b.clips,
                             b.detected, b.detected_5s);
    if (b.snr_db >= 0) clips += b.clips, found += b.detected, prompt += b.detected_5s;
  }
  std::cout << fmt::format("  {:<9} {:>5}  {:>5}  {:>10}\n", ">= 0 dB", clips, found, prompt);
  // How fast false alarms climb just under the threshold: a steep climb
  // is a setting that new background may not hold.
  std::string margin;
  for (const auto& [threshold, false_alarms] : r.false_alarms_below)
    margin += (margin.empty() ? "" : ", ") +
              (false_alarms < 0 ? fmt::format("none tuned at {:.2f}", threshold)
                                : fmt::format("{} at {:.2f}", false_alarms, threshold));
  if (!margin.empty())
    std::cout << fmt::format("CNN false alarms just below, same averaging: {}\n", margin);
}

}  // namespace
}  // namespace picoml::alarm

int main(int argc, char** argv) {
  using namespace picoml::alarm;
  CLI::App app{"picoml-alarm: smoke/CO-alarm data, training and evaluation"};
  app.require_subcommand(1);
  std::string background_dir;
  app.add_option("--backgrounds", background_dir,
                 "Background cache (default ${XDG_CACHE_HOME:-~/.cache}/picoml/alarm)");

  // generate
  auto* generate = app.add_subcommand("generate", "Write example alarm clips as WAV files");
  std::string gen_out = "out/alarm/clips", gen_split = "test";
  int gen_count = 4;
  double gen_snr = 10.0;
  uint64_t gen_seed = 42;
  generate->add_option("--out", gen_out, "Output folder");
  generate->add_option("--count", gen_count, "Clips (alternating T3, T4)");
  generate->add_option("--snr", gen_snr, "Signal-to-noise ratio, dB");
  generate->add_option("--seed", gen_seed, "Generator seed");
  generate->add_option("--split", gen_split, "Backgrounds: train, val or test")
      ->check(CLI::IsMember({"train", "val", "test"}));

#ifdef PICOML_ALARM_TRAINING
  auto* train = app.add_subcommand("train", "Train and quantize the alarm CNN (LibTorch)");
  AlarmTrainOptions train_options;
  train->add_option("--out", train_options.out_dir, "Output folder");
  train->add_option("--clips", train_options.data.clips, "Training clips (half with alarms)");
  train->add_option("--validation-clips", train_options.validation_clips, "Validation clips");
  train->add_option("--seconds", train_options.data.seconds, "Seconds per clip");
  train->add_option("--stride", train_options.data.stride,
                    "Frames between the ends of consecutive training windows of a clip");
  // Shares of the training clips: each a fraction in [0, 1].
  auto add_fraction = [train](const char* name, double& value, const char* help) {
    train->add_option(name, value, help)->check(CLI::Range(0.0, 1.0));
  };
  add_fraction("--decoys", train_options.data.decoy_fraction,
               "Fraction of background clips with a decoy beep train (alarm-like, timing outside "
               "the standard)");
  add_fraction("--alarm-decoys", train_options.data.alarm_decoy_fraction,
               "Fraction of alarm clips with a decoy beep train sounding too, 0-10 dB below the "
               "alarm (the windows stay labelled by the alarm's beeps)");
  add_fraction("--t4-fraction", train_options.data.t4_fraction,
               "Fraction of alarm clips with the T4 pattern (the rest T3)");
  add_fraction("--low-tone-fraction", train_options.data.low_tone_fraction,
               "Fraction of alarm clips sounded by a 520 Hz square-wave sounder (the rest piezo "
               "near 3.1 kHz)");
  train
      ->add_option("--settle", train_options.data.settle_s,
                   "Seconds of each clip's first second, repeated, that the front end hears "
                   "before the clip (a settled noise estimate, as on a listening device); 0: "
                   "from a reset")
      ->check(CLI::Range(0.0, 600.0));
  std::map<std::string, AlarmNetwork> network_names;
  for (AlarmNetwork network : kAlarmNetworks) network_names[AlarmNetworkName(network)] = network;
  train
      ->add_option("--network", train_options.network,
                   "compact (session 3's, 308k MACs) or temporal (80 ms steps over 0.42 s for "
                   "T4's beeps, 400k MACs) or fine (40 ms steps into the second convolution, "
                   "590k MACs) or band (a first convolution over all bands, then time only, "
                   "380k MACs)")
      ->transform(CLI::CheckedTransformer(network_names, CLI::ignore_case));
  train
      ->add_option("--speed-spread", train_options.speed_spread,
                   "Play each training background segment at a random speed in [1/(1+S), 1+S] "
                   "(augmentation; 0: as recorded)")
      ->check(CLI::Range(0.0, 0.5));
  std::vector<std::string> extra_backgrounds;
  train->add_option("--extra-backgrounds", extra_backgrounds,
                    "More background libraries (their train/ folders) to train on besides "
                    "--backgrounds', e.g. scripts/make-alarm-backgrounds.sh --train-music's");
  train->add_option("--epochs", train_options.epochs, "Epochs");
  train->add_option("--dropout", train_options.dropout, "Dropout before the dense layer")
      ->check(CLI::Range(0.0, 0.9));
  train->add_option("--batch-size", train_options.batch_size, "Batch size");
  train->add_option("--max-lr", train_options.max_lr, "One-cycle peak learning rate");
  train->add_option("--threads", train_options.threads, "Threads (0: LibTorch's choice)");
  train->add_option("--seed", train_options.data.seed, "Seed of data and weights");
  train->add_option("--mining-clips", train_options.mining_clips,
                    "Background clips to mine for hard negatives after the first round (0: none)");
  train->add_option("--mining-epochs", train_options.mining_epochs, "Epochs after mining");
  train->add_option("--mining-rounds", train_options.mining_rounds,
                    "Rounds of mining and training, each on new background clips");
  train
      ->add_option("--softmax-beta", train_options.softmax_beta,
                   "Beta of the exported softmax (below 1: a temperature that keeps the int8 "
                   "scores of confident windows apart)")
      ->check(CLI::Range(0.01, 1.0));
  train->add_option("--mining-score", train_options.mining_score,
                    "Alarm score from which a background window is a hard negative");
#endif

  auto* temper = app.add_subcommand(
      "temper",
      "Write a copy of a model with its softmax's beta changed (a temperature: below 1 the int8 "
      "scores of confident windows stay apart instead of all reaching 255/256)");
  std::string temper_in, temper_out;
  float temper_beta = 1.0f;
  temper->add_option("--model", temper_in, "Model to copy")->required();
  temper->add_option("--softmax-beta", temper_beta, "New beta")
      ->required()
      ->check(CLI::Range(0.01, 1.0));
  temper->add_option("--out", temper_out, "The tempered model")->required();

  auto* tune = app.add_subcommand(
      "tune",
      "Tune both detectors' thresholds (and the CNN's averaging) on VALIDATION data (or training)");
  std::string tune_split = "val";
  std::vector<std::string> models = {"out/alarm/model.tflite"};
  std::string thresholds_out = "out/alarm/thresholds.json";
  EvalOptions tune_options;
  tune_options.seed = 0x7a11;  // training seeds
  tune_options.clips_per_snr = 40;
  tune_options.background_hours = 1.0;
  tune->add_option("--model", models,
                   "Alarm model; repeat for an ensemble (the first screens for the others)");
  tune->add_option("--out", thresholds_out, "Thresholds file");
  tune->add_option("--clips-per-snr", tune_options.clips_per_snr, "Alarm clips per SNR");
  tune->add_option("--hours", tune_options.background_hours, "Hours of background");
  tune->add_option("--split", tune_split,
                   "Backgrounds to tune on: val (held out from training; the default) or train")
      ->check(CLI::IsMember({"val", "train"}));
  tune->add_option("--false-alarms-per-day", tune_options.false_alarms_per_day,
                   "False alarms allowed per 24 h of background (the goal: 1; less leaves a "
                   "margin for the luck of the hours tuned on)")
      ->check(CLI::Range(0.0, 1000.0));
  std::string traces_out;
  tune->add_option("--lead-in", tune_options.lead_in_s,
                   "Seconds of background added before each alarm clip (front end settled)")
      ->check(CLI::Range(0.0, 600.0));
  tune->add_option("--traces", traces_out,
                   "Also write the CNN's score at every inference (JSON) here");
  tune->add_option("--margin-below", tune_options.margin_below,
                   "Also ask of a setting that a threshold this much under its own stays within "
                   "--margin-false-alarms-per-day (0: off): a setting at the edge of a cliff in "
                   "false alarms does not qualify")
      ->check(CLI::Range(0.0, 0.5));
  tune->add_option("--margin-false-alarms-per-day", tune_options.margin_false_alarms_per_day,
                   "False alarms per 24 h allowed at the lower threshold of --margin-below")
      ->check(CLI::Range(0.0, 1000.0));
  std::vector<std::string> replay_traces;
  std::string replay_base;
  CLI::Option* replay =
      tune->add_option("--replay", replay_traces,
                       "Tune the CNN again from the scores a run wrote with --traces, without "
                       "audio or models (seconds, not minutes): to study a criterion; needs "
                       "--base, and writes a thresholds file only when --out is given. Several "
                       "files: their clips and background streams pooled (e.g. a run's "
                       "validation traces and a background-only run on other sounds)")
          ->check(CLI::ExistingFile);
  CLI::Option* base =
      tune->add_option("--base", replay_base,
                       "With --replay: the thresholds file of the run that wrote the traces (its "
                       "Goertzel threshold, models and gate are kept, its false-alarm criterion "
                       "applies unless given again; the CNN's setting is replaced)")
          ->check(CLI::ExistingFile);
  float tune_gate = alarm_config::kEnsembleGate;
  tune->add_option("--gate", tune_gate,
                   "With two models: the first model's alarm probability from which the second "
                   "runs (written to the thresholds file; eval and the device builds follow it)")
      ->check(CLI::Range(0.0, 1.0));
  // What the traces already hold, or what only a run over audio uses.
  for (const char* name :
       {"--model", "--clips-per-snr", "--hours", "--split", "--lead-in", "--traces", "--gate"})
    replay->excludes(tune->get_option(name));
  base->needs(replay);

  auto* eval =
      app.add_subcommand("eval", "Evaluate the CNN and the Goertzel baseline on TEST data");
  std::string thresholds = "out/alarm/thresholds.json", results_out = "out/alarm/results";
  EvalOptions eval_options;
  eval->add_option("--model", models,
                   "Alarm model; repeat for an ensemble (the first screens for the others)");
  eval->add_option("--thresholds", thresholds, "Thresholds from picoml-alarm tune");
  eval->add_option("--out", results_out, "Writes <out>.json and <out>.md");
  eval->add_option("--clips-per-snr", eval_options.clips_per_snr, "Alarm clips per SNR");
  eval->add_option("--hours", eval_options.background_hours, "Hours of test background");
  eval->add_option("--seed", eval_options.seed, "Test seed");
  eval->add_option("--lead-in", eval_options.lead_in_s,
                   "Seconds of background added before each alarm clip (front end settled)")
      ->check(CLI::Range(0.0, 600.0));
  std::string dump_dir;
  eval->add_option("--dump-false-alarms", dump_dir,
                   "Write the 6 s of background before each false alarm as WAV files here");

  try {
    app.parse(argc, argv);
    if (generate->parsed()) {
      const BackgroundLibrary backgrounds =
          BackgroundLibrary::Load(SplitDir(background_dir, gen_split));
      std::filesystem::create_directories(gen_out);
      Rng rng(gen_seed);
      for (int i = 0; i < gen_count; ++i) {
        const double snr = gen_snr;
        AlarmCase c;
        AlarmParams alarm = RandomAlarm(rng, i % 2 == 0 ? Pattern::kT3 : Pattern::kT4);
        alarm.onset_s = rng.Uniform(3.0, 6.0);
        c.clip = MakeClip(backgrounds, static_cast<int64_t>((alarm.onset_s + 10.0) * kSampleRate),
                          &alarm, snr, -25.0, rng);
        const std::string path =
            fmt::format("{}/alarm-{}-{}.wav", gen_out, PatternName(alarm.pattern), i);
        picoml::host::WriteWav(path, c.clip.samples, kSampleRate);
        std::cout << fmt::format(
            "{}: {} at {:.0f} Hz, onset {:.2f} s, SNR {:+g} dB, RT60 {:.2f} s\n", path,
            PatternName(alarm.pattern), alarm.frequency_hz, alarm.onset_s, snr, alarm.rt60_s);
      }
      const Clip quiet = MakeClip(backgrounds, 20 * kSampleRate, nullptr, 0, -25.0, rng);
      picoml::host::WriteWav(gen_out + "/background.wav", quiet.samples, kSampleRate);
      std::cout << gen_out << "/background.wav: 20 s, no alarm\n";
    }
#ifdef PICOML_ALARM_TRAINING
    if (train->parsed()) {
      std::vector<std::string> dirs{SplitDir(background_dir, "train")};
      for (const std::string& extra : extra_backgrounds) dirs.push_back(extra + "/train");
      TrainAlarmModel(dirs, train_options);
    }
#endif
    if (temper->parsed()) {
      const std::vector<uint8_t> bytes =
          picoml::host::WithSoftmaxBeta(picoml::host::ReadFile(temper_in), temper_beta);
      picoml::host::WriteFileAtomically(temper_out, bytes.data(), bytes.size());
      std::cout << fmt::format("{}: {} with softmax beta {}\n", temper_out, temper_in, temper_beta);
    }
    if (tune->parsed() && !replay_traces.empty()) {
      if (replay_base.empty())
        throw picoml::host::Error(
            "--replay needs --base: the thresholds file of the run that wrote the traces");
      CnnTraces traces;
      nlohmann::json replayed_from = nlohmann::json::array();
      for (const std::string& path : replay_traces) {
        try {
          PoolTraces(traces, CnnTracesFromJson(ReadJson(path)));
        } catch (const std::runtime_error& e) {
          throw picoml::host::Error(path + ": " + e.what());
        }
        replayed_from.push_back(std::filesystem::path(path).filename().string());
      }
      if (traces.clips.empty())
        throw picoml::host::Error(
            "--replay: no alarm clips in the traces (a background-only run, --clips-per-snr 0, "
            "only adds background: give it after a run's traces)");
      tune_options.background_hours = traces.background_hours();
      nlohmann::json j = ReadJson(replay_base);
      if (!j.is_object())
        throw picoml::host::Error(replay_base +
                                  ": not a thresholds file (picoml-alarm tune's --out)");
      // The criterion the base was tuned with, unless given again: a replay
      // that forgot --false-alarms-per-day would otherwise choose by another.
      for (const auto& [option, key, value] :
           {std::tuple{"--false-alarms-per-day", "false_alarms_per_day",
                       &tune_options.false_alarms_per_day},
            std::tuple{"--margin-below", "margin_below", &tune_options.margin_below},
            std::tuple{"--margin-false-alarms-per-day", "margin_false_alarms_per_day",
                       &tune_options.margin_false_alarms_per_day}})
        if (tune->count(option) == 0 && j.contains(key) && j[key].is_number())
          *value = j[key].get<double>();
      const CnnTuneResult r = TuneCnn(traces, CriterionOf(tune_options));
      j["replayed_from"] = replayed_from;
      SetCnnSetting(j, r, tune_options);
      // The grid's Goertzel rows stay; the CNN's are the replay's.
      nlohmann::json grid = nlohmann::json::array();
      for (const auto& row : j.value("grid", nlohmann::json::array()))
        if (row.value("detector", "") != "cnn") grid.push_back(row);
      for (const auto& row : TuneGridJson(r.grid, "cnn")) grid.push_back(row);
      j["grid"] = grid;
      std::cout << fmt::format("Replayed {} ({} alarm clips, {:g} h of background)\n",
                               fmt::join(replay_traces, " + "), traces.clips.size(),
                               traces.background_hours());
      PrintCnnSetting(r, tune_options);
      if (tune->count("--out") > 0) {
        MakeParentFolder(thresholds_out);
        WriteText(thresholds_out, j.dump(2) + '\n');
        std::cout << "-> " << thresholds_out << "\n";
      }
    } else if (tune->parsed()) {
      MakeParentFolder(thresholds_out);
      if (!traces_out.empty()) MakeParentFolder(traces_out);
      const BackgroundLibrary backgrounds =
          BackgroundLibrary::Load(SplitDir(background_dir, tune_split));
      picoml::StreamClassifierConfig tune_config = DefaultAlarmStreamConfig();
      tune_config.ensemble_gate = tune_gate;
      CnnDetector cnn(models, tune_config);
      const TuneResult r = Tune(backgrounds, &cnn, tune_options, Progress);
      nlohmann::json j = {{"split", tune_split},
                          {"models", ModelNames(models)},
                          {"ensemble_gate", AsDecimal(tune_gate)},
                          {"goertzel_threshold", r.goertzel_threshold},
                          {"goertzel_tune_recall", r.goertzel_recall},
                          {"grid", r.table}};
      SetCnnSetting(j, r.cnn, tune_options);
      WriteText(thresholds_out, j.dump(2) + '\n');
      if (!traces_out.empty()) WriteText(traces_out, r.cnn_traces.dump() + '\n');
      std::cout << fmt::format("Thresholds ({} data): Goertzel {:.2f} (recall {:.3f}) -> {}\n",
                               tune_split, r.goertzel_threshold, r.goertzel_recall, thresholds_out);
      PrintCnnSetting(r.cnn, tune_options);
    }
    if (eval->parsed()) {
      MakeParentFolder(results_out);
      const BackgroundLibrary backgrounds =
          BackgroundLibrary::Load(SplitDir(background_dir, "test"));
      double goertzel_threshold = GoertzelConfig().ratio_threshold;
      const picoml::StreamClassifierConfig config =
          ConfigWithThreshold(thresholds, &goertzel_threshold);
      CnnDetector cnn(models, config);
      GoertzelConfig gconfig;
      gconfig.ratio_threshold = goertzel_threshold;
      GoertzelAlarmDetector goertzel(gconfig);
      std::cout << fmt::format(
                       "Evaluating on test backgrounds ({} files, {:.0f} s): {} alarm clips per "
                       "SNR, {} h of "
                       "background; CNN threshold {:.3f} averaged over {} inferences ({} bytes, "
                       "arena {} bytes), Goertzel threshold {:.2f}\n",
                       backgrounds.file_count(), backgrounds.seconds(), eval_options.clips_per_snr,
                       eval_options.background_hours, config.threshold, config.average_inferences,
                       cnn.model_bytes(), cnn.arena_bytes(), goertzel_threshold)
                << std::flush;
      if (!dump_dir.empty()) {
        std::filesystem::create_directories(dump_dir);
        eval_options.on_background_false_alarm = [&dump_dir](const std::string& detector,
                                                             double time_s,
                                                             const std::vector<int16_t>& audio) {
          const std::string path = fmt::format("{}/{}-{:09.2f}s.wav", dump_dir, detector, time_s);
          picoml::host::WriteWav(path, audio, kSampleRate);
          std::cerr << "false alarm: " << path << std::endl;
        };
      }
      const auto results = Evaluate(backgrounds, {&cnn, &goertzel}, eval_options, Progress);
      nlohmann::json j = {{"cnn_threshold", config.threshold},
                          {"cnn_average_inferences", config.average_inferences},
                          {"goertzel_threshold", goertzel_threshold},
                          {"model_bytes", cnn.model_bytes()},
                          {"arena_bytes", cnn.arena_bytes()},
                          {"ring_bytes", cnn.ring_bytes()},
                          {"models", ModelNames(models)},
                          {"ensemble_gate", AsDecimal(config.ensemble_gate)},
                          // Evaluate ends with the background stream: the share of its
                          // inferences on which the other models ran.
                          {"background_second_opinion_share",
                           cnn.inference_count() == 0
                               ? 0.0
                               : double(cnn.second_opinion_count()) /
                                     std::max(1, cnn.model_count() - 1) / cnn.inference_count()},
                          {"results", nlohmann::json::array()}};
      for (const auto& r : results) j["results"].push_back(ResultToJson(r));
      WriteText(results_out + ".json", j.dump(2) + '\n');
      const std::string table = ResultsTable(results);
      WriteText(results_out + ".md", table);
      std::cout << table;
    }
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "picoml-alarm: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
