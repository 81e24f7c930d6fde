/* bbdiag._newlines: how many newlines a range of a buffer holds, at memory speed.
 *
 * Why this is in C: the scan's chunk loop (bbdiag/prefilter.py) numbers every line it passes on,
 * so it counts every newline of a log, and bytearray.count(b"\n") goes one byte at a time (it
 * stops at a maximum count, which keeps compilers from vectorising it): 0.04-0.05 s of CPU per
 * 100 MiB, a sixth of a whole scan and half of grep's whole run. Here 16 bytes are compared at
 * once (SSE2, which every x86-64 has) or 8 (any other machine, in plain C). prefilter.py uses
 * bytearray.count when this module was not built (the extension is optional), with the same
 * result: the tests run both.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>
#if defined(__SSE2__) || defined(_M_X64)
#include <emmintrin.h>
#define HAVE_SSE2 1
#endif

static Py_ssize_t
count_newlines(const unsigned char *p, Py_ssize_t n)
{
    Py_ssize_t count = 0, i = 0;
#ifdef HAVE_SSE2
    const __m128i newline = _mm_set1_epi8('\n');
    while (n - i >= 16) {
        /* Each lane counts its newlines in 8 bits (compare gives -1, subtracted): at most 255
         * blocks, then the lanes are summed (psadbw against zero) and start again. */
        __m128i lanes = _mm_setzero_si128();
        Py_ssize_t blocks = (n - i) / 16;
        if (blocks > 255)
            blocks = 255;
        for (Py_ssize_t b = 0; b < blocks; b++, i += 16)
            lanes = _mm_sub_epi8(lanes, _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + i)), newline));
        __m128i sums = _mm_sad_epu8(lanes, _mm_setzero_si128());
        count += _mm_cvtsi128_si32(sums) + _mm_cvtsi128_si32(_mm_srli_si128(sums, 8));
    }
#else
    const uint64_t ones = 0x0101010101010101ULL, low7 = 0x7f7f7f7f7f7f7f7fULL;
    for (; n - i >= 8; i += 8) {
        uint64_t word;
        memcpy(&word, p + i, 8); /* no alignment assumed */
        word ^= ones * '\n';     /* a newline's byte is now 0 */
        /* The high bit of each byte that is not 0 (exact: no carry crosses bytes), inverted. */
        uint64_t zero = ~(((word & low7) + low7) | word) & ~low7;
        count += (Py_ssize_t)(((zero >> 7) * ones) >> 56);
    }
#endif
    for (; i < n; i++)
        count += p[i] == '\n';
    return count;
}

PyDoc_STRVAR(count_doc, "count(buffer, start, end) -> int\n\nThe newlines in buffer[start:end] (bytes, bytearray, memoryview), as buffer.count(b'\\n', start, end).");

static PyObject *
count(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    Py_buffer view;
    Py_ssize_t start, end;
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "count(buffer, start, end)");
        return NULL;
    }
    start = PyNumber_AsSsize_t(args[1], PyExc_OverflowError);
    if (start == -1 && PyErr_Occurred())
        return NULL;
    end = PyNumber_AsSsize_t(args[2], PyExc_OverflowError);
    if (end == -1 && PyErr_Occurred())
        return NULL;
    if (PyObject_GetBuffer(args[0], &view, PyBUF_SIMPLE) < 0)
        return NULL;
    /* Clamped as a slice is (negative indexes are not used by the scan, and mean 0 here). */
    if (end > view.len)
        end = view.len;
    if (start < 0)
        start = 0;
    Py_ssize_t found = start < end ? count_newlines((const unsigned char *)view.buf + start, end - start) : 0;
    PyBuffer_Release(&view);
    return PyLong_FromSsize_t(found);
}

static PyMethodDef methods[] = {
    {"count", (PyCFunction)(void (*)(void))count, METH_FASTCALL, count_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_newlines", "Newlines counted at memory speed, for the scan's chunk loop.", 0, methods};

PyMODINIT_FUNC
PyInit__newlines(void)
{
    return PyModule_Create(&module);
}
