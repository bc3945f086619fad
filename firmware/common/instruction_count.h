// Marks around the code whose instructions are counted. The QEMU plugin in
// firmware/qemu-plugin counts every instruction executed from the entry of
// picoml_count_begin() to the entry of picoml_count_end(); the run script
// finds both addresses with nm. They live in their own file so the compiler
// cannot inline or drop the calls.
#ifndef PICOML_FIRMWARE_INSTRUCTION_COUNT_H_
#define PICOML_FIRMWARE_INSTRUCTION_COUNT_H_

#ifdef __cplusplus
extern "C" {
#endif

void picoml_count_begin(void);
void picoml_count_end(void);

#ifdef __cplusplus
}
#endif

#endif  // PICOML_FIRMWARE_INSTRUCTION_COUNT_H_
