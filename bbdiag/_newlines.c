/* bbdiag._newlines: the byte work of the scan's chunk loop, at memory speed.
 *
 * count: why this is in C: the scan's chunk loop (bbdiag/prefilter.py) numbers every line it passes on,
 * so it counts every newline of a log, and bytearray.count(b"\n") goes one byte at a time (it
 * stops at a maximum count, which keeps compilers from vectorising it): 0.04-0.05 s of CPU per
 * 100 MiB, a sixth of a whole scan and half of grep's whole run. Here 16 bytes are compared at
 * once (SSE2, which every x86-64 has) or 8 (any other machine, in plain C). prefilter.py uses
 * bytearray.count when this module was not built (the extension is optional), with the same
 * result: the tests run both.
 *
 * changed_lines: the lines of a range that normalise.clean changes other than by cutting them
 * (what prefilter._CHANGING says: a control byte, a byte outside ASCII, a JSON-escaped `\n`, a
 * GitLab `section_` marker), copied one after another into a second buffer, each ending in a
 * newline. Why this is in C: only on those lines can a pattern's keyword decide (elsewhere the
 * patterns' own loosened regexes do), so Hyperscan looks for the keywords in that copy alone
 * (about 7% of the realistic log's bytes) instead of in every byte: finding them takes one pass
 * comparing 16 bytes at once, where Python's re stops at every one of their bytes.
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

/* Whether the byte at p[i] (start <= i < end) makes its line one the cleaning changes. */
static int
changes(const unsigned char *p, Py_ssize_t start, Py_ssize_t i, Py_ssize_t end)
{
    unsigned char c = p[i];
    if ((c < 0x20 && c != '\n') || c >= 0x7f)
        return 1;
    if (c == '\\')
        return i + 1 < end && p[i + 1] == 'n';
    if (c == '_')
        return i - start >= 7 && memcmp(p + i - 7, "section", 7) == 0;
    return 0;
}

#ifdef HAVE_SSE2
/* 0xff for each of p[0..15] that may make its line changed: a control byte but the newline, 0x7f
 * or above, a `\`, or a `_` seven bytes after an `s` (of `section_`): p[-7] must be readable. */
static __m128i
suspects16(const unsigned char *p)
{
    const __m128i v = _mm_loadu_si128((const __m128i *)p);
    /* Plain ASCII 0x20-0x7e is, with 0x60 added, the signed bytes below -33: two operations. */
    __m128i plain = _mm_or_si128(_mm_cmpgt_epi8(_mm_set1_epi8(-33), _mm_add_epi8(v, _mm_set1_epi8(0x60))), _mm_cmpeq_epi8(v, _mm_set1_epi8('\n')));
    __m128i section = _mm_and_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('_')), _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p - 7)), _mm_set1_epi8('s')));
    return _mm_or_si128(_mm_andnot_si128(plain, _mm_set1_epi8(-1)), _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\\')), section));
}

/* The first byte of p[i..i+15] that makes its line changed (looked at alone), or -1. */
static Py_ssize_t
first_change16(const unsigned char *p, Py_ssize_t start, Py_ssize_t i, Py_ssize_t end)
{
    unsigned bits = (unsigned)_mm_movemask_epi8(suspects16(p + i));
    for (int k = 0; bits; k++, bits >>= 1)
        if ((bits & 1) && changes(p, start, i + k, end))
            return i + k;
    return -1;
}
#endif

/* The first byte at or after i (before end) that makes its line changed, or end. */
static Py_ssize_t
next_change(const unsigned char *p, Py_ssize_t start, Py_ssize_t i, Py_ssize_t end)
{
#ifdef HAVE_SSE2
    for (; i < end && i - start < 7; i++) /* the first bytes one by one: p[i - 7] is before the range */
        if (changes(p, start, i, end))
            return i;
    /* 64 bytes at a time, looked at more closely only where one may change its line (most have none). */
    for (; end - i >= 64; i += 64) {
        __m128i any = _mm_or_si128(_mm_or_si128(suspects16(p + i), suspects16(p + i + 16)), _mm_or_si128(suspects16(p + i + 32), suspects16(p + i + 48)));
        if (_mm_movemask_epi8(any) == 0)
            continue;
        for (Py_ssize_t b = i; b < i + 64; b += 16) {
            Py_ssize_t found = first_change16(p, start, b, end);
            if (found >= 0)
                return found;
        }
    }
    for (; end - i >= 16; i += 16) {
        Py_ssize_t found = first_change16(p, start, i, end);
        if (found >= 0)
            return found;
    }
#endif
    for (; i < end; i++)
        if (changes(p, start, i, end))
            return i;
    return end;
}

/* args[0] as a buffer (released by the caller) and args[1:3] as start and end, clamped as a slice
 * is (negative indexes are not used by the scan, and mean 0 here): both functions take them so. */
static int
buffer_range(PyObject *const *args, Py_buffer *view, Py_ssize_t *start, Py_ssize_t *end)
{
    *start = PyNumber_AsSsize_t(args[1], PyExc_OverflowError);
    if (*start == -1 && PyErr_Occurred())
        return -1;
    *end = PyNumber_AsSsize_t(args[2], PyExc_OverflowError);
    if (*end == -1 && PyErr_Occurred())
        return -1;
    if (PyObject_GetBuffer(args[0], view, PyBUF_SIMPLE) < 0)
        return -1;
    if (*end > view->len)
        *end = view->len;
    if (*start < 0)
        *start = 0;
    return 0;
}

PyDoc_STRVAR(changed_lines_doc,
             "changed_lines(buffer, start, end, out) -> (used, starts)\n\n"
             "The lines of buffer[start:end] (start a line start) that the cleaning changes, copied into out[:used] each ending in a newline;\n"
             "starts: where each begins in buffer. out must hold end - start + 1 bytes.");

static PyObject *
changed_lines(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    Py_buffer view, out;
    Py_ssize_t start, end;
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "changed_lines(buffer, start, end, out)");
        return NULL;
    }
    if (buffer_range(args, &view, &start, &end) < 0)
        return NULL;
    if (PyObject_GetBuffer(args[3], &out, PyBUF_WRITABLE) < 0) {
        PyBuffer_Release(&view);
        return NULL;
    }
    PyObject *starts = PyList_New(0);
    if (starts == NULL || (start < end && out.len < end - start + 1)) {
        if (starts != NULL)
            PyErr_SetString(PyExc_ValueError, "out is too small: it must hold end - start + 1 bytes");
        Py_XDECREF(starts);
        PyBuffer_Release(&out);
        PyBuffer_Release(&view);
        return NULL;
    }
    const unsigned char *p = (const unsigned char *)view.buf;
    unsigned char *o = (unsigned char *)out.buf;
    Py_ssize_t used = 0, line = start; /* line: the start of the line the search is in */
    for (Py_ssize_t i = start; i < end;) {
        Py_ssize_t hit = next_change(p, line, i, end);
        if (hit == end)
            break;
        const unsigned char *before = p + hit;
        while (before > p + line && before[-1] != '\n') /* its line's start: the nearest newline before */
            before--;
        line = before - p;
        const unsigned char *newline = memchr(p + hit, '\n', (size_t)(end - hit));
        Py_ssize_t line_end = newline ? newline - p : end;
        memcpy(o + used, p + line, (size_t)(line_end - line));
        used += line_end - line;
        o[used++] = '\n';
        PyObject *offset = PyLong_FromSsize_t(line);
        if (offset == NULL || PyList_Append(starts, offset) < 0) {
            Py_XDECREF(offset);
            Py_DECREF(starts);
            PyBuffer_Release(&out);
            PyBuffer_Release(&view);
            return NULL;
        }
        Py_DECREF(offset);
        i = line = line_end + 1;
    }
    PyBuffer_Release(&out);
    PyBuffer_Release(&view);
    PyObject *result = Py_BuildValue("(nN)", used, starts);
    return result;
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
    if (buffer_range(args, &view, &start, &end) < 0)
        return NULL;
    Py_ssize_t found = start < end ? count_newlines((const unsigned char *)view.buf + start, end - start) : 0;
    PyBuffer_Release(&view);
    return PyLong_FromSsize_t(found);
}

static PyMethodDef methods[] = {
    {"count", (PyCFunction)(void (*)(void))count, METH_FASTCALL, count_doc},
    {"changed_lines", (PyCFunction)(void (*)(void))changed_lines, METH_FASTCALL, changed_lines_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_newlines", "The byte work of the scan's chunk loop at memory speed: newlines counted, the lines the cleaning changes found.", 0, methods};

PyMODINIT_FUNC
PyInit__newlines(void)
{
    return PyModule_Create(&module);
}
