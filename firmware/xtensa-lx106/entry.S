/* Entry point for the lx106 (call0 ABI): QEMU starts here (the loader sets
   the PC to the ELF entry), with no stack. Set a1, run the C start-up. */
    .section .entry.text, "ax"
    .literal_position
    .literal .Lstack_top, __stack_top
    .literal .Lstart, board_start
    .global _start
    .type _start, @function
    .align 4
_start:
    l32r    a1, .Lstack_top
    movi    a0, 0
    l32r    a2, .Lstart
    callx0  a2
1:  j       1b
    .size _start, . - _start
