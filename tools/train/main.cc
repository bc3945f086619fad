// picoml-train: the LibTorch half of the picoml command line (`picoml train`
// and `picoml quantize` exec it), kept apart so that the other commands start
// without loading LibTorch.
#include <ATen/Parallel.h>
#include <c10/util/Exception.h>

#include <cstdio>
#include <exception>

#include "train/commands.h"

int main(int argc, char** argv) {
  // One inter-op thread: the models are sequential, and spare threads only
  // compete with the intra-op ones for the cores.
  at::set_num_interop_threads(1);

  CLI::App app{"picoml-train: train and quantize (the LibTorch commands of picoml)"};
  app.name("picoml");
  app.require_subcommand(1);
  picoml::train::AddTrainCommand(app);
  picoml::train::AddQuantizeCommand(app);
  auto command = [&app]() {
    const auto chosen = app.get_subcommands();
    return chosen.empty() ? std::string("picoml") : "picoml " + chosen.front()->get_name();
  };
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "%s: error: %s (see --help)\n", command().c_str(), e.what());
    return e.get_exit_code() == 0 ? 0 : 2;
  } catch (const c10::Error& e) {
    std::fprintf(stderr, "%s: error: %s\n", command().c_str(), e.what_without_backtrace());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: error: %s\n", command().c_str(), e.what());
    return 1;
  }
  return 0;
}
