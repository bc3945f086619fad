// picoml: the host command line. `train` and `quantize` need LibTorch and live
// in the picoml-train executable beside this one; they are handed over with
// exec so that every other command starts without loading LibTorch.
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "cli/commands.h"

namespace {

int HandOver(int argc, char** argv) {
  char self[4096];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  std::string dir = ".";
  if (n > 0) {
    self[n] = '\0';
    dir = self;
    dir = dir.substr(0, dir.rfind('/'));
  }
  const std::string trainer = dir + "/train/picoml-train";
  const std::string beside = dir + "/picoml-train";
  std::vector<char*> args;
  for (int i = 1; i < argc; ++i) args.push_back(argv[i]);
  args.insert(args.begin(), const_cast<char*>("picoml-train"));
  args.push_back(nullptr);
  execv(beside.c_str(), args.data());
  execv(trainer.c_str(), args.data());
  std::fprintf(stderr,
               "picoml: error: '%s' needs picoml-train (built with LibTorch), which was not "
               "found beside %s: build with -DPICOML_BUILD_TRAINING=ON\n",
               argv[1], dir.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && (std::strcmp(argv[1], "train") == 0 || std::strcmp(argv[1], "quantize") == 0))
    return HandOver(argc, argv);

  CLI::App app{"picoml: train, quantize, export and run int8 LiteRT models on microcontrollers"};
  app.require_subcommand(1);
  app.footer(
      "Also: picoml train ..., picoml quantize ... (see picoml train --help; they need "
      "LibTorch)");
  picoml::cli::AddRunCommand(app);
  picoml::cli::AddInspectCommand(app);
  picoml::cli::AddEmbedCommand(app);
  picoml::cli::AddPredictCommand(app);
  picoml::cli::AddListenCommand(app);
  picoml::cli::AddDigitsCommand(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "picoml: error: %s (see picoml --help)\n", e.what());
    return e.get_exit_code() == 0 ? 0 : 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "picoml: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
