/*
 * Compiled set operations for corpus_tools.analyses.duplicates: MinHash signatures and exact
 * intersections. Both run without the GIL, so that threads run side by side, and both give
 * exactly what their numpy forms give (tests/test_duplicates.py compares them).
 *
 * - minhash: numpy computes one hash function at a time over a padded block of documents; here
 *   each shingle is hashed by all the functions at once, the document's running minima staying
 *   in the first-level cache, in a loop the compiler turns into vector instructions (cloned for
 *   AVX-512 and AVX2 where the compiler can, chosen when the module loads).
 * - intersect_counts: the exact checks count the shingles (and numbers) two documents share:
 *   sets of uint32 values, each sorted and without repeats, stored one after another. numpy can
 *   only sort each pair's two sets together; here they are merged in one pass, without branches.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

static int get_buffer(PyObject *obj, Py_buffer *view, const char *name, Py_ssize_t itemsize, int writable)
{
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, view, flags) < 0) return -1;
    if (view->itemsize != itemsize) {
        PyErr_Format(PyExc_TypeError, "%s: expected a contiguous array of %zd-byte items, got %zd-byte items",
                     name, itemsize, view->itemsize);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

PyDoc_STRVAR(intersect_counts_doc,
"intersect_counts(values, start, size, x, y, out)\n"
"\n"
"out[i] = the number of values shared by sets x[i] and y[i], where set k is\n"
"values[start[k]:start[k] + size[k]] (uint32, sorted, distinct). start, size, x, y and out\n"
"are int64 arrays; x, y and out have one item per pair.");

static PyObject *intersect_counts(PyObject *self, PyObject *args)
{
    PyObject *objs[6];
    if (!PyArg_ParseTuple(args, "OOOOOO", &objs[0], &objs[1], &objs[2], &objs[3], &objs[4], &objs[5]))
        return NULL;
    static const char *names[6] = {"values", "start", "size", "x", "y", "out"};
    static const Py_ssize_t sizes[6] = {4, 8, 8, 8, 8, 8};
    Py_buffer views[6];
    int got = 0;
    for (; got < 6; got++)
        if (get_buffer(objs[got], &views[got], names[got], sizes[got], got == 5) < 0) goto fail;

    const uint32_t *values = views[0].buf;
    const int64_t *start = views[1].buf, *size = views[2].buf;
    const int64_t *x = views[3].buf, *y = views[4].buf;
    int64_t *out = views[5].buf;
    Py_ssize_t n_values = views[0].len / 4, n_sets = views[1].len / 8, n = views[3].len / 8;
    if (views[2].len != views[1].len || views[4].len != views[3].len || views[5].len != views[3].len) {
        PyErr_SetString(PyExc_ValueError, "start and size, and x, y and out, must have the same lengths");
        goto fail;
    }
    Py_ssize_t bad = -1;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n; i++) {
        int64_t a = x[i], b = y[i];
        if (a < 0 || a >= n_sets || b < 0 || b >= n_sets || start[a] < 0 || size[a] < 0 || start[b] < 0
            || size[b] < 0 || start[a] + size[a] > n_values || start[b] + size[b] > n_values) {
            bad = i;
            break;
        }
        const uint32_t *p = values + start[a], *p_end = p + size[a];
        const uint32_t *q = values + start[b], *q_end = q + size[b];
        int64_t common = 0;
        while (p < p_end && q < q_end) {
            uint32_t u = *p, v = *q;
            common += u == v;
            p += u <= v;
            q += v <= u;
        }
        out[i] = common;
    }
    Py_END_ALLOW_THREADS
    if (bad >= 0) {
        PyErr_Format(PyExc_IndexError, "pair %zd names a set outside values (sets %zd and %zd of %zd)", bad,
                     (Py_ssize_t)x[bad], (Py_ssize_t)y[bad], n_sets);
        goto fail;
    }
    for (int k = 0; k < got; k++) PyBuffer_Release(&views[k]);
    Py_RETURN_NONE;
fail:
    for (int k = 0; k < got; k++) PyBuffer_Release(&views[k]);
    return NULL;
}

#if defined(__GNUC__) && defined(__x86_64__) && defined(__linux__) && !defined(__clang__)
#define VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define VECTOR_CLONES
#endif

VECTOR_CLONES
static void minhash_rows(const uint32_t *hashes, const int64_t *offsets, Py_ssize_t n_docs, const uint32_t *a,
                         Py_ssize_t n_perm, uint32_t *out)
{
    for (Py_ssize_t d = 0; d < n_docs; d++) {
        uint32_t *row = out + d * n_perm;
        for (Py_ssize_t p = 0; p < n_perm; p++) row[p] = UINT32_MAX;
        for (int64_t s = offsets[d]; s < offsets[d + 1]; s++) {
            uint32_t x = hashes[s] | 1u;  /* odd: no key 0, which every function would send to 0 */
            for (Py_ssize_t p = 0; p < n_perm; p++) {
                uint32_t v = a[p] * x;  /* wrapping: a x mod 2**32 */
                row[p] = v < row[p] ? v : row[p];
            }
        }
    }
}

PyDoc_STRVAR(minhash_doc,
"minhash(hashes, offsets, a, out)\n"
"\n"
"out[d, p] = min over the shingles s of document d of (a[p] * (hashes[s] | 1)) mod 2**32, where\n"
"the shingles of document d are hashes[offsets[d]:offsets[d + 1]] (uint32); offsets int64, a\n"
"uint32, out a C-contiguous uint32 array of shape (len(offsets) - 1, len(a)). A document\n"
"without shingles gets 2**32 - 1 everywhere.");

static PyObject *minhash(PyObject *self, PyObject *args)
{
    PyObject *objs[4];
    if (!PyArg_ParseTuple(args, "OOOO", &objs[0], &objs[1], &objs[2], &objs[3])) return NULL;
    static const char *names[4] = {"hashes", "offsets", "a", "out"};
    static const Py_ssize_t sizes[4] = {4, 8, 4, 4};
    Py_buffer views[4];
    int got = 0;
    for (; got < 4; got++)
        if (get_buffer(objs[got], &views[got], names[got], sizes[got], got == 3) < 0) goto fail;

    const uint32_t *hashes = views[0].buf, *a = views[2].buf;
    const int64_t *offsets = views[1].buf;
    uint32_t *out = views[3].buf;
    Py_ssize_t n_hashes = views[0].len / 4, n_docs = views[1].len / 8 - 1, n_perm = views[2].len / 4;
    if (n_docs < 0 || views[3].len != (n_docs < 0 ? 0 : n_docs) * n_perm * 4) {
        PyErr_Format(PyExc_ValueError, "out must hold len(offsets) - 1 rows of len(a) = %zd values", n_perm);
        goto fail;
    }
    for (Py_ssize_t d = 0; d < n_docs; d++) {
        if (offsets[d] < 0 || offsets[d] > offsets[d + 1] || offsets[d + 1] > n_hashes) {
            PyErr_Format(PyExc_ValueError, "offsets must rise from 0 to at most len(hashes) = %zd; "
                         "document %zd has %lld:%lld", n_hashes, d, (long long)offsets[d], (long long)offsets[d + 1]);
            goto fail;
        }
    }
    Py_BEGIN_ALLOW_THREADS
    minhash_rows(hashes, offsets, n_docs, a, n_perm, out);
    Py_END_ALLOW_THREADS
    for (int k = 0; k < got; k++) PyBuffer_Release(&views[k]);
    Py_RETURN_NONE;
fail:
    for (int k = 0; k < got; k++) PyBuffer_Release(&views[k]);
    return NULL;
}

static PyMethodDef methods[] = {
    {"minhash", minhash, METH_VARARGS, minhash_doc},
    {"intersect_counts", intersect_counts, METH_VARARGS, intersect_counts_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "corpus_tools.analyses._csets",
    .m_doc = "Compiled MinHash signatures and intersections of sorted sets (see corpus_tools.analyses.duplicates).",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC PyInit__csets(void)
{
    return PyModule_Create(&module);
}
