/*
 * Compiled steps of corpus_tools.analyses.duplicates: the exact digests of the documents, their
 * within-sentence shingles, MinHash signatures, the LSH band keys and partners, and exact
 * intersections of shingle sets. Each runs without the GIL, so that threads run side by side, and
 * each gives exactly what its numpy form gives (tests/test_duplicates.py compares them); every
 * index read from an argument is checked before it is used.
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
#include <string.h>

/* whether a buffer's items are integers (struct format letters, after a byte-order mark) */
static int integer_format(const char *format)
{
    if (format == NULL) return 0;
    if (*format == '@' || *format == '=' || *format == '<' || *format == '>' || *format == '!') format++;
    return format[0] != '\0' && format[1] == '\0' && strchr("bBhHiIlLqQnN", format[0]) != NULL;
}

/* a C-contiguous buffer of integers of itemsize bytes (itemsize 0: of 4 or 8 bytes) */
static int get_buffer(PyObject *obj, Py_buffer *view, const char *name, Py_ssize_t itemsize, int writable)
{
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, view, flags) < 0) return -1;
    int size_ok = itemsize ? view->itemsize == itemsize : (view->itemsize == 4 || view->itemsize == 8);
    if (!size_ok || !integer_format(view->format)) {
        PyErr_Format(PyExc_TypeError, "%s: expected a contiguous array of %s-byte integers, got %zd-byte items "
                     "of format '%s'", name, itemsize == 4 ? "4" : itemsize == 8 ? "8" : "4- or 8", view->itemsize,
                     view->format ? view->format : "");
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
            || size[b] < 0 || start[a] > n_values || size[a] > n_values - start[a] || start[b] > n_values
            || size[b] > n_values - start[b]) {
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

/* cloned per instruction set where the loader can choose among the clones (glibc ifuncs; musl has none) */
#if defined(__GNUC__) && defined(__x86_64__) && defined(__linux__) && defined(__GLIBC__) && !defined(__clang__)
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

/* ---- shingles, band keys and partners: the exact values of their numpy forms ------------- */

static const uint64_t POLY = 0x100000001B3ULL;  /* duplicates._POLY */

static inline uint64_t mix64(uint64_t x)  /* duplicates._mix: the splitmix64 finaliser */
{
    x += 0x9E3779B97F4A7C15ULL;
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ULL;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBULL;
    x ^= x >> 31;
    return x;
}

PyDoc_STRVAR(shingles_doc,
"shingles(ids, doc_offsets, sent_offsets, rows, k, out, out_offsets) -> int\n"
"\n"
"The 32-bit hashes of the within-sentence shingles of documents rows (int64, each holding at\n"
"least one token), as duplicates._shingles makes them, written to out (uint32, at least as long\n"
"as the documents' tokens), document after document; out_offsets (int64, len(rows) + 1) gets\n"
"each document's start in them. ids int32; doc_offsets and sent_offsets int64, every document\n"
"starting a sentence. Returns the number of hashes written.");

static PyObject *shingles(PyObject *self, PyObject *args)
{
    PyObject *objs[7];
    Py_ssize_t k;
    if (!PyArg_ParseTuple(args, "OOOOnOO", &objs[0], &objs[1], &objs[2], &objs[3], &k, &objs[5], &objs[6]))
        return NULL;
    static const char *names[7] = {"ids", "doc_offsets", "sent_offsets", "rows", "k", "out", "out_offsets"};
    static const Py_ssize_t sizes[7] = {4, 8, 8, 8, 0, 4, 8};
    Py_buffer views[7];
    int got = 0;
    for (; got < 7; got++) {
        if (got == 4) { views[4].obj = NULL; continue; }
        if (get_buffer(objs[got], &views[got], names[got], sizes[got], got >= 5) < 0) goto fail;
    }
    const int32_t *ids = views[0].buf;
    const int64_t *doc = views[1].buf, *sent = views[2].buf, *rows = views[3].buf;
    uint32_t *out = views[5].buf;
    int64_t *out_offsets = views[6].buf;
    Py_ssize_t n_tokens = views[0].len / 4, n_docs = views[1].len / 8 - 1, n_sent = views[2].len / 8 - 1;
    Py_ssize_t n_rows = views[3].len / 8, room = views[5].len / 4;
    if (k < 1 || views[6].len != (n_rows + 1) * 8) {
        PyErr_SetString(PyExc_ValueError, "k must be at least 1 and out_offsets hold len(rows) + 1 values");
        goto fail;
    }
    Py_ssize_t need = 0;
    for (Py_ssize_t i = 0; i < n_rows; i++) {
        int64_t r = rows[i];
        if (r < 0 || r >= n_docs || doc[r] < 0 || doc[r] > doc[r + 1] || doc[r + 1] > n_tokens) {
            PyErr_Format(PyExc_IndexError, "rows[%zd] = %lld is not a document of doc_offsets", i, (long long)r);
            goto fail;
        }
        need += doc[r + 1] - doc[r];
    }
    if (room < need) {
        PyErr_Format(PyExc_ValueError, "out holds %zd values; the documents have %zd tokens", room, need);
        goto fail;
    }
    Py_ssize_t written = 0, bad = -1;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n_rows && bad < 0; i++) {
        int64_t start = doc[rows[i]], end = doc[rows[i] + 1];
        out_offsets[i] = written;
        /* the sentences starting in the document: sent[j] in [start, end), found by bisection */
        Py_ssize_t lo = 0, hi = n_sent + 1;
        while (lo < hi) { Py_ssize_t mid = (lo + hi) / 2; if (sent[mid] < start) lo = mid + 1; else hi = mid; }
        for (Py_ssize_t j = lo; j < n_sent && sent[j] < end; j++) {
            int64_t a = sent[j], b = sent[j + 1];
            if (b > end || b < a) { bad = i; break; }
            int64_t width = b - a;
            if (width <= 0) continue;
            if (width < k) {  /* a short sentence is one shingle, tagged with its width */
                uint64_t h = 0;
                for (int64_t t = a; t < b; t++) h = h * POLY + (uint64_t)(uint32_t)ids[t];
                out[written++] = (uint32_t)(mix64(h ^ ((uint64_t)width << 56)) >> 32);
                continue;
            }
            for (int64_t t = a; t + k <= b; t++) {
                uint64_t h = (uint64_t)(uint32_t)ids[t];
                for (Py_ssize_t u = 1; u < k; u++) h = h * POLY + (uint64_t)(uint32_t)ids[t + u];
                out[written++] = (uint32_t)(mix64(h ^ ((uint64_t)k << 56)) >> 32);
            }
        }
    }
    out_offsets[n_rows] = written;
    Py_END_ALLOW_THREADS
    if (bad >= 0) {
        PyErr_Format(PyExc_ValueError, "the sentences of document rows[%zd] run past its end", bad);
        goto fail;
    }
    for (int i = 0; i < got; i++) if (i != 4) PyBuffer_Release(&views[i]);
    return PyLong_FromSsize_t(written);
fail:
    for (int i = 0; i < got; i++) if (i != 4) PyBuffer_Release(&views[i]);
    return NULL;
}

PyDoc_STRVAR(band_keys_doc,
"band_keys(sig, b0, b1, rows_per_band, label, label_bits, out)\n"
"\n"
"For bands b0 to b1 - 1 of the signatures sig (uint32, shape (n, columns), rows contiguous), the\n"
"band key of each row as duplicates._band_keys makes it (seed b, then key = mix(key * POLY +\n"
"value) for each value of the band), its lowest label_bits bits replaced by label[i] (uint64):\n"
"out[b - b0, i] (uint64, C-contiguous, (b1 - b0) * n values).");

static PyObject *band_keys(PyObject *self, PyObject *args)
{
    PyObject *osig, *olabel, *oout;
    Py_ssize_t b0, b1, r;
    int label_bits;
    if (!PyArg_ParseTuple(args, "OnnnOiO", &osig, &b0, &b1, &r, &olabel, &label_bits, &oout)) return NULL;
    Py_buffer sig, label, out;
    if (PyObject_GetBuffer(osig, &sig, PyBUF_STRIDES | PyBUF_FORMAT) < 0) return NULL;
    if (sig.ndim != 2 || sig.itemsize != 4 || !integer_format(sig.format) || sig.strides[1] != 4 || sig.strides[0] % 4
        || sig.strides[0] < 0) {
        PyErr_SetString(PyExc_TypeError, "sig: expected a 2-d array of 4-byte items, each row contiguous");
        PyBuffer_Release(&sig);
        return NULL;
    }
    if (get_buffer(olabel, &label, "label", 8, 0) < 0) { PyBuffer_Release(&sig); return NULL; }
    if (get_buffer(oout, &out, "out", 8, 1) < 0) { PyBuffer_Release(&sig); PyBuffer_Release(&label); return NULL; }
    Py_ssize_t n = sig.shape[0], columns = sig.shape[1], row_step = sig.strides[0] / 4;
    PyObject *result = NULL;
    if (b0 < 0 || b1 < b0 || r < 1 || b1 * r > columns || label_bits < 1 || label_bits > 63
        || label.len != n * 8 || out.len != (b1 - b0) * n * 8) {
        PyErr_SetString(PyExc_ValueError, "band_keys: bands outside the signature, or label or out of the wrong length");
        goto done;
    }
    const uint32_t *values = sig.buf;
    const uint64_t *labels = label.buf;
    uint64_t *keys = out.buf, high = ~((1ULL << label_bits) - 1);
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n; i++) {
        const uint32_t *row = values + i * row_step;
        for (Py_ssize_t b = b0; b < b1; b++) {
            uint64_t key = (uint64_t)b;
            for (Py_ssize_t j = 0; j < r; j++) key = mix64(key * POLY + row[b * r + j]);
            keys[(b - b0) * n + i] = (key & high) | labels[i];
        }
    }
    Py_END_ALLOW_THREADS
    result = Py_None;
    Py_INCREF(result);
done:
    PyBuffer_Release(&sig);
    PyBuffer_Release(&label);
    PyBuffer_Release(&out);
    return result;
}

PyDoc_STRVAR(band_partners_doc,
"band_partners(packed, label_bits, first, previous)\n"
"\n"
"duplicates._band_partners from the sorted packed keys of one band (uint64: the key's high bits,\n"
"the label in the lowest label_bits): first[label] gets the first label of its bucket,\n"
"previous[label] the label before it in the bucket (itself for the first). first and previous\n"
"are int32 or int64 arrays of len(packed) values, indexed by label.");

static PyObject *band_partners(PyObject *self, PyObject *args)
{
    PyObject *opacked, *ofirst, *oprevious;
    int label_bits;
    if (!PyArg_ParseTuple(args, "OiOO", &opacked, &label_bits, &ofirst, &oprevious)) return NULL;
    Py_buffer packed, first, previous;
    if (get_buffer(opacked, &packed, "packed", 8, 0) < 0) return NULL;
    if (get_buffer(ofirst, &first, "first", 0, 1) < 0) { PyBuffer_Release(&packed); return NULL; }
    if (get_buffer(oprevious, &previous, "previous", 0, 1) < 0) {
        PyBuffer_Release(&packed);
        PyBuffer_Release(&first);
        return NULL;
    }
    Py_ssize_t n = packed.len / 8, width = first.itemsize;
    PyObject *result = NULL;
    if (previous.itemsize != width || first.len != n * width
        || previous.len != n * width || label_bits < 1 || label_bits > 63) {
        PyErr_SetString(PyExc_ValueError, "band_partners: first and previous must be int32 or int64 arrays "
                        "of len(packed) values");
        goto done;
    }
    const uint64_t *keys = packed.buf, mask = (1ULL << label_bits) - 1;
    int bad = 0;
    Py_BEGIN_ALLOW_THREADS
    uint64_t bucket_first = 0, last = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        uint64_t label = keys[i] & mask;
        if (label >= (uint64_t)n) { bad = 1; break; }
        int later = i > 0 && (keys[i] >> label_bits) == (keys[i - 1] >> label_bits);
        if (!later) bucket_first = label;
        uint64_t before = later ? last : label;
        if (width == 4) {
            ((int32_t *)first.buf)[label] = (int32_t)bucket_first;
            ((int32_t *)previous.buf)[label] = (int32_t)before;
        } else {
            ((int64_t *)first.buf)[label] = (int64_t)bucket_first;
            ((int64_t *)previous.buf)[label] = (int64_t)before;
        }
        last = label;
    }
    Py_END_ALLOW_THREADS
    if (bad) {
        PyErr_SetString(PyExc_ValueError, "band_partners: a label is not below len(packed)");
        goto done;
    }
    result = Py_None;
    Py_INCREF(result);
done:
    PyBuffer_Release(&packed);
    PyBuffer_Release(&first);
    PyBuffer_Release(&previous);
    return result;
}

PyDoc_STRVAR(digests_doc,
"digests(ids, doc_offsets, sent_offsets, term0, term1, position0, position1, position2, d0, d1, out)\n"
"\n"
"The exact digests of duplicates._exact_hashes for documents d0 to d1 - 1, into rows d0 to\n"
"d1 - 1 of out (uint64, shape (n_docs, 3)): sum(term_k[token] * position_k[place]) for k = 0, 1\n"
"and sum(position2[place]) over the sentence starts (wrapping uint64), 0 for an empty document.\n"
"ids int32; offsets int64; the tables uint64, the position ones as long as the longest document.");

static PyObject *digests(PyObject *self, PyObject *args)
{
    PyObject *objs[11];
    Py_ssize_t d0, d1;
    if (!PyArg_ParseTuple(args, "OOOOOOOOnnO", &objs[0], &objs[1], &objs[2], &objs[3], &objs[4], &objs[5],
                          &objs[6], &objs[7], &d0, &d1, &objs[10]))
        return NULL;
    static const char *names[11] = {"ids", "doc_offsets", "sent_offsets", "term0", "term1", "position0",
                                    "position1", "position2", "d0", "d1", "out"};
    static const Py_ssize_t sizes[11] = {4, 8, 8, 8, 8, 8, 8, 8, 0, 0, 8};
    Py_buffer views[11];
    int got = 0;
    for (; got < 11; got++) {
        if (got == 8 || got == 9) { views[got].obj = NULL; continue; }
        if (get_buffer(objs[got], &views[got], names[got], sizes[got], got == 10) < 0) goto fail;
    }
    const int32_t *ids = views[0].buf;
    const int64_t *doc = views[1].buf, *sent = views[2].buf;
    const uint64_t *term0 = views[3].buf, *term1 = views[4].buf;
    const uint64_t *pos0 = views[5].buf, *pos1 = views[6].buf, *pos2 = views[7].buf;
    uint64_t *out = views[10].buf;
    Py_ssize_t n_tokens = views[0].len / 4, n_docs = views[1].len / 8 - 1, n_sent = views[2].len / 8 - 1;
    Py_ssize_t n_terms = views[3].len / 8, longest = views[5].len / 8;
    if (d0 < 0 || d1 < d0 || d1 > n_docs || views[10].len != n_docs * 24 || views[4].len != views[3].len
        || views[6].len != views[5].len || views[7].len != views[5].len) {
        PyErr_SetString(PyExc_ValueError, "digests: documents outside doc_offsets, or tables or out of the wrong length");
        goto fail;
    }
    for (Py_ssize_t d = d0; d < d1; d++) {
        if (doc[d] < 0 || doc[d] > doc[d + 1] || doc[d + 1] > n_tokens || doc[d + 1] - doc[d] > longest) {
            PyErr_Format(PyExc_ValueError, "digests: document %zd (tokens %lld:%lld) is outside the tokens or longer "
                         "than the position tables", d, (long long)doc[d], (long long)doc[d + 1]);
            goto fail;
        }
    }
    int bad = 0;
    Py_BEGIN_ALLOW_THREADS
    /* the first sentence start at or after the first document's first token */
    Py_ssize_t lo = 0, hi = n_sent + 1;
    int64_t first_token = d0 < d1 ? doc[d0] : 0;
    while (lo < hi) { Py_ssize_t mid = (lo + hi) / 2; if (sent[mid] < first_token) lo = mid + 1; else hi = mid; }
    Py_ssize_t j = lo;
    for (Py_ssize_t d = d0; d < d1 && !bad; d++) {
        int64_t start = doc[d], end = doc[d + 1];
        uint64_t h0 = 0, h1 = 0, h2 = 0;
        for (int64_t t = start; t < end; t++) {
            int32_t term = ids[t];
            if (term < 0 || term >= n_terms) { bad = 1; break; }
            h0 += term0[term] * pos0[t - start];
            h1 += term1[term] * pos1[t - start];
        }
        while (j <= n_sent && sent[j] < start) j++;
        for (; j <= n_sent && sent[j] < end; j++) {
            if (sent[j] < start) { bad = 2; break; }  /* offsets out of order */
            h2 += pos2[sent[j] - start];
        }
        if (end == start) h2 = 0;
        out[3 * d] = h0;
        out[3 * d + 1] = h1;
        out[3 * d + 2] = h2;
    }
    Py_END_ALLOW_THREADS
    if (bad) {
        PyErr_SetString(PyExc_ValueError, bad == 2 ? "digests: sent_offsets must rise"
                                                   : "digests: a token id is outside the term tables");
        goto fail;
    }
    for (int i = 0; i < got; i++) if (i != 8 && i != 9) PyBuffer_Release(&views[i]);
    Py_RETURN_NONE;
fail:
    for (int i = 0; i < got; i++) if (i != 8 && i != 9) PyBuffer_Release(&views[i]);
    return NULL;
}

static PyMethodDef methods[] = {
    {"digests", digests, METH_VARARGS, digests_doc},
    {"shingles", shingles, METH_VARARGS, shingles_doc},
    {"band_keys", band_keys, METH_VARARGS, band_keys_doc},
    {"band_partners", band_partners, METH_VARARGS, band_partners_doc},
    {"minhash", minhash, METH_VARARGS, minhash_doc},
    {"intersect_counts", intersect_counts, METH_VARARGS, intersect_counts_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "corpus_tools.analyses._csets",
    .m_doc = "Compiled digests, shingles, MinHash, LSH keys and set intersections (see corpus_tools.analyses.duplicates).",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC PyInit__csets(void)
{
    return PyModule_Create(&module);
}
