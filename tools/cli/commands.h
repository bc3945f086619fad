// The picoml command line: one file per subcommand, each adding itself to
// the CLI11 app. A command's action throws CommandError (or any
// std::exception) to fail: main() prints one line on stderr and exits 1.
#ifndef PICOML_TOOLS_CLI_COMMANDS_H_
#define PICOML_TOOLS_CLI_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <stdexcept>
#include <string>

namespace picoml::cli {

struct CommandError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void AddRunCommand(CLI::App& app);      // cli/cmd_run.cc
void AddInspectCommand(CLI::App& app);  // cli/cmd_inspect.cc
void AddEmbedCommand(CLI::App& app);    // cli/cmd_embed.cc
void AddPredictCommand(CLI::App& app);  // cli/cmd_predict.cc
void AddListenCommand(CLI::App& app);   // cli/cmd_listen.cc
void AddDigitsCommand(CLI::App& app);   // cli/cmd_digits.cc

}  // namespace picoml::cli

#endif  // PICOML_TOOLS_CLI_COMMANDS_H_
