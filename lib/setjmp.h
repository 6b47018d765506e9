/* Non-local jumps, implemented per architecture (lib/x86/setjmp.S). */
#ifndef LIB_SETJMP_H
#define LIB_SETJMP_H

typedef unsigned long jmp_buf[8];

int setjmp(jmp_buf env) __attribute__((returns_twice));
void longjmp(jmp_buf env, int val) __attribute__((noreturn));

#endif
