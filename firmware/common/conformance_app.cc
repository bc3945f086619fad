// Firmware application: runs every embedded conformance case of one model
// and exits with the number of failed cases (0: all outputs byte-exact).
#include "board.h"
#include "console.h"
#include "harness.h"

extern "C" int firmware_main(void) {
  using picoml_firmware::Print;
  Print("picoml firmware on %s: %s, %d cases\n", board_name(), picoml_firmware::kEmbeddedModel.name,
        picoml_firmware::kEmbeddedModel.case_count);
  const int failures = picoml_firmware::RunConformance(picoml_firmware::kEmbeddedModel);
  Print(
      "%s: %d of %d cases failed; the expected bytes are the golden files the host "
      "conformance test also compares to\n",
      failures == 0 ? "PASS" : "FAIL", failures, picoml_firmware::kEmbeddedModel.case_count);
  return failures;
}
