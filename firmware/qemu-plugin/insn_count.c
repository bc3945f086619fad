// A QEMU TCG plugin that counts the guest instructions executed between two
// addresses: from each execution of `begin` up to the next execution of
// `end`, printing one line per window:
//
//   qemu-system-arm ... -plugin libinsn_count.so,begin=0x1234,end=0x1240
//   -> "insn_count: window 1: 48211 instructions"
//
// The count is exact: every translation block adds its instruction count to a
// running total as it starts (an inline add, cheap), and the marker
// instructions read that total, corrected for their place in their block.
// Debian's QEMU (7.2) accepts -plugin but ships no <qemu-plugin.h>, so the few
// entry points used here are declared from the documented plugin API
// (version 1).
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
typedef struct qemu_info_t qemu_info_t;  // not read here
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS = 0 };
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 = 0 };
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb* tb);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void* userdata);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void* userdata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb* tb, enum qemu_plugin_op op,
                                              void* ptr, uint64_t imm);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn* insn,
                                            qemu_plugin_vcpu_udata_cb_t cb,
                                            enum qemu_plugin_cb_flags flags, void* userdata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void* userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb* tb);
struct qemu_plugin_insn* qemu_plugin_tb_get_insn(const struct qemu_plugin_tb* tb, size_t idx);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn* insn);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

static uint64_t begin_address;
static uint64_t end_address;
static uint64_t total;         // instructions of every block entered so far
static uint64_t window_start;  // instructions before `begin`, in `total` terms
static int in_window;
static unsigned windows;
static uint64_t sum;

// `userdata` carries how many instructions of the marker's block follow the
// marker (the marker included): they are already in `total` but not yet run.
static uint64_t Executed(void* userdata) { return total - (uint64_t)(uintptr_t)userdata; }

static void OnBegin(unsigned int vcpu_index, void* userdata) {
  (void)vcpu_index;
  window_start = Executed(userdata);
  in_window = 1;
}

static void OnEnd(unsigned int vcpu_index, void* userdata) {
  (void)vcpu_index;
  if (!in_window) return;
  in_window = 0;
  const uint64_t count = Executed(userdata) - window_start;
  ++windows;
  sum += count;
  fprintf(stderr, "insn_count: window %u: %" PRIu64 " instructions\n", windows, count);
  fflush(stderr);
}

static void OnTranslate(qemu_plugin_id_t id, struct qemu_plugin_tb* tb) {
  (void)id;
  const size_t n = qemu_plugin_tb_n_insns(tb);
  qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &total, n);
  for (size_t i = 0; i < n; ++i) {
    struct qemu_plugin_insn* insn = qemu_plugin_tb_get_insn(tb, i);
    // Thumb addresses in symbol tables carry bit 0; instructions do not.
    const uint64_t address = qemu_plugin_insn_vaddr(insn) & ~(uint64_t)1;
    void* remaining = (void*)(uintptr_t)(n - i);
    if (address == begin_address)
      qemu_plugin_register_vcpu_insn_exec_cb(insn, OnBegin, QEMU_PLUGIN_CB_NO_REGS, remaining);
    if (address == end_address)
      qemu_plugin_register_vcpu_insn_exec_cb(insn, OnEnd, QEMU_PLUGIN_CB_NO_REGS, remaining);
  }
}

static void OnExit(qemu_plugin_id_t id, void* userdata) {
  (void)id;
  (void)userdata;
  fprintf(stderr, "insn_count: %u windows, %" PRIu64 " instructions in all, %" PRIu64 " total\n",
          windows, sum, total);
}

__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id,
                                                               const qemu_info_t* info, int argc,
                                                               char** argv) {
  (void)info;
  for (int i = 0; i < argc; ++i) {
    if (strncmp(argv[i], "begin=", 6) == 0) begin_address = strtoull(argv[i] + 6, NULL, 0);
    if (strncmp(argv[i], "end=", 4) == 0) end_address = strtoull(argv[i] + 4, NULL, 0);
  }
  begin_address &= ~(uint64_t)1;
  end_address &= ~(uint64_t)1;
  if (begin_address == 0 || end_address == 0) {
    fprintf(stderr, "insn_count: give both begin=ADDRESS and end=ADDRESS\n");
    return -1;
  }
  qemu_plugin_register_vcpu_tb_trans_cb(id, OnTranslate);
  qemu_plugin_register_atexit_cb(id, OnExit, NULL);
  return 0;
}
