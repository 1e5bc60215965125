/*
 * Compiled form of corpus_tools.text.tokenizer: the same tokens as TOKEN_PATTERN, encoded
 * straight into codes over distinct surface strings.
 *
 * Python's `re` has to build one str object per token before a dict can number it; here the
 * text is scanned in place, each token is looked up in a hash table by its characters, and a
 * str object is made only the first time a surface string is seen. The character classes are
 * those of `re` for str patterns: \w is str.isalnum() or "_", \d is str.isdecimal(), \s is
 * str.isspace(). tests/test_tokenizer.py checks that both forms give the same tokens.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

/* ---- character classes ------------------------------------------------------------------ */

enum { C_WORD = 1, C_DECIMAL = 2, C_SPACE = 4 };
static unsigned char ascii_class[128];

static void init_classes(void)
{
    for (int c = 0; c < 128; c++) {
        unsigned char k = 0;
        if (Py_UNICODE_ISALNUM(c) || c == '_') k |= C_WORD;
        if (Py_UNICODE_ISDECIMAL(c)) k |= C_DECIMAL;
        if (Py_UNICODE_ISSPACE(c)) k |= C_SPACE;
        ascii_class[c] = k;
    }
}

static inline int is_word(Py_UCS4 c)
{
    return c < 128 ? (ascii_class[c] & C_WORD) : Py_UNICODE_ISALNUM(c);
}

static inline int is_decimal(Py_UCS4 c)
{
    return c < 128 ? (ascii_class[c] & C_DECIMAL) : Py_UNICODE_ISDECIMAL(c);
}

static inline int is_space(Py_UCS4 c)
{
    return c < 128 ? (ascii_class[c] & C_SPACE) : Py_UNICODE_ISSPACE(c);
}

/* [^\W\d_]: a word character that is neither a decimal digit nor the underscore */
static inline int is_letter(Py_UCS4 c)
{
    return is_word(c) && !is_decimal(c) && c != '_';
}

static inline int is_sentence_end(Py_UCS4 c)
{
    return c == '.' || c == '!' || c == '?';
}

/*
 * End of the token that starts at i, or -1 when no token starts there. Follows TOKEN_PATTERN:
 *   \w[\w'’-]*(?:[.,]\d+)*(?:\.(?:[^\W\d_]\.)+)?  |  [.!?]+  |  \n\s*\n\s*
 * Every part after the first character is greedy and optional, so the regular expression's
 * first successful path is the longest one taken part by part, which is what is done here.
 */
static Py_ssize_t token_end(int kind, const void *data, Py_ssize_t n, Py_ssize_t i)
{
    Py_UCS4 c = PyUnicode_READ(kind, data, i);
    Py_ssize_t j = i + 1;
    if (is_word(c)) {
        while (j < n) {
            Py_UCS4 d = PyUnicode_READ(kind, data, j);
            if (is_word(d) || d == '\'' || d == 0x2019 || d == '-') j++;
            else break;
        }
        /* numbers with separators: 10,000  3.5 */
        while (j + 1 < n) {
            Py_UCS4 d = PyUnicode_READ(kind, data, j);
            if ((d == '.' || d == ',') && is_decimal(PyUnicode_READ(kind, data, j + 1))) {
                j += 2;
                while (j < n && is_decimal(PyUnicode_READ(kind, data, j))) j++;
            }
            else break;
        }
        /* abbreviations: U.S.  e.g. */
        if (j < n && PyUnicode_READ(kind, data, j) == '.') {
            Py_ssize_t k = j + 1;
            while (k + 1 < n && is_letter(PyUnicode_READ(kind, data, k))
                   && PyUnicode_READ(kind, data, k + 1) == '.')
                k += 2;
            if (k > j + 1) j = k;
        }
        return j;
    }
    if (is_sentence_end(c)) {
        while (j < n && is_sentence_end(PyUnicode_READ(kind, data, j))) j++;
        return j;
    }
    if (c == '\n') {
        /* a paragraph break: a second newline within the whitespace that follows */
        int second = 0;
        while (j < n) {
            Py_UCS4 d = PyUnicode_READ(kind, data, j);
            if (!is_space(d)) break;
            if (d == '\n') second = 1;
            j++;
        }
        return second ? j : -1;
    }
    return -1;
}

/* ---- the table of distinct surface strings ---------------------------------------------- */

typedef struct {
    uint64_t hash;       /* 0: empty slot */
    PyObject *str;
    const void *data;
    Py_ssize_t len;
    int kind;
    int32_t code;
} Entry;

typedef struct {
    PyObject_HEAD
    Entry *slots;
    Py_ssize_t capacity; /* a power of two */
    Py_ssize_t size;
} Encoder;

static uint64_t span_hash(int kind, const void *data, Py_ssize_t start, Py_ssize_t end)
{
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a over code points, then a final mix */
    for (Py_ssize_t i = start; i < end; i++) {
        h ^= (uint64_t)PyUnicode_READ(kind, data, i);
        h *= 0x100000001b3ULL;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h ? h : 1;
}

static int span_equals(const Entry *e, int kind, const void *data, Py_ssize_t start, Py_ssize_t len)
{
    if (e->len != len) return 0;
    if (e->kind == kind)
        return memcmp((const char *)data + start * kind, e->data, (size_t)(len * kind)) == 0;
    for (Py_ssize_t i = 0; i < len; i++)
        if (PyUnicode_READ(kind, data, start + i) != PyUnicode_READ(e->kind, e->data, i)) return 0;
    return 1;
}

static int encoder_grow(Encoder *self)
{
    Py_ssize_t capacity = self->capacity ? self->capacity * 2 : 1 << 10;
    Entry *slots = PyMem_Calloc((size_t)capacity, sizeof(Entry));
    if (slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < self->capacity; i++) {
        Entry *e = &self->slots[i];
        if (!e->hash) continue;
        Py_ssize_t s = (Py_ssize_t)(e->hash & (uint64_t)(capacity - 1));
        while (slots[s].hash) s = (s + 1) & (capacity - 1);
        slots[s] = *e;
    }
    PyMem_Free(self->slots);
    self->slots = slots;
    self->capacity = capacity;
    return 0;
}

/* Code of text[start:end]; a new string is made, numbered and appended to `added` when unseen. */
static int32_t encoder_code(Encoder *self, PyObject *text, int kind, const void *data,
                            Py_ssize_t start, Py_ssize_t end, PyObject *added)
{
    Py_ssize_t len = end - start;
    uint64_t h = span_hash(kind, data, start, end);
    Py_ssize_t mask = self->capacity - 1;
    Py_ssize_t s = (Py_ssize_t)(h & (uint64_t)mask);
    while (self->slots[s].hash) {
        Entry *e = &self->slots[s];
        if (e->hash == h && span_equals(e, kind, data, start, len)) return e->code;
        s = (s + 1) & mask;
    }
    if (self->size >= INT32_MAX) {
        PyErr_SetString(PyExc_OverflowError, "more than 2**31 distinct surface strings");
        return -1;
    }
    PyObject *str = PyUnicode_Substring(text, start, end);
    if (str == NULL) return -1;
    if (PyList_Append(added, str) < 0) {
        Py_DECREF(str);
        return -1;
    }
    Entry *e = &self->slots[s];
    e->hash = h;
    e->str = str; /* the table keeps this reference */
    e->data = PyUnicode_DATA(str);
    e->len = len;
    e->kind = PyUnicode_KIND(str);
    int32_t code = (int32_t)self->size++;
    e->code = code;
    if (self->size * 2 > self->capacity && encoder_grow(self) < 0) return -1;
    return code;
}

static PyObject *Encoder_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, ":Encoder", kwlist)) return NULL;
    Encoder *self = (Encoder *)type->tp_alloc(type, 0);
    if (self == NULL) return NULL;
    if (encoder_grow(self) < 0) {
        Py_DECREF(self);
        return NULL;
    }
    return (PyObject *)self;
}

static void Encoder_dealloc(Encoder *self)
{
    for (Py_ssize_t i = 0; i < self->capacity; i++)
        if (self->slots[i].hash) Py_DECREF(self->slots[i].str);
    PyMem_Free(self->slots);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static Py_ssize_t Encoder_len(Encoder *self)
{
    return self->size;
}

typedef struct {
    char *buf;
    size_t used, cap;
} Buffer;

static int buffer_reserve(Buffer *b, size_t extra)
{
    if (b->used + extra <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 1 << 16;
    while (cap < b->used + extra) cap *= 2;
    char *buf = PyMem_Realloc(b->buf, cap);
    if (buf == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    b->buf = buf;
    b->cap = cap;
    return 0;
}

PyDoc_STRVAR(encode_doc,
"encode(texts) -> (codes, added, lengths)\n\n"
"Tokenise each text and number its tokens by surface string; numbers carry over between calls.\n"
"codes: bytearray of int32 codes, one per token; added: the surface strings first seen in this\n"
"call, in code order; lengths: bytearray of int64 token counts, one per text.");

static PyObject *Encoder_encode(Encoder *self, PyObject *texts_arg)
{
    PyObject *texts = PySequence_Fast(texts_arg, "texts must be a sequence of str");
    if (texts == NULL) return NULL;
    Py_ssize_t n_texts = PySequence_Fast_GET_SIZE(texts);
    PyObject **items = PySequence_Fast_ITEMS(texts);
    PyObject *added = PyList_New(0);
    Buffer codes = {NULL, 0, 0};
    int64_t *lengths = PyMem_Malloc((size_t)(n_texts ? n_texts : 1) * sizeof(int64_t));
    PyObject *result = NULL;
    if (added == NULL || lengths == NULL) {
        if (lengths == NULL) PyErr_NoMemory();
        goto done;
    }
    /* every text is checked before any is numbered, so a refused call leaves the table as it was */
    for (Py_ssize_t t = 0; t < n_texts; t++) {
        if (!PyUnicode_Check(items[t])) {
            PyErr_Format(PyExc_TypeError, "texts[%zd] is %.100s, not str", t, Py_TYPE(items[t])->tp_name);
            goto done;
        }
    }
    for (Py_ssize_t t = 0; t < n_texts; t++) {
        PyObject *text = items[t];
#if PY_VERSION_HEX < 0x030C0000
        if (PyUnicode_READY(text) < 0) goto done;
#endif
        int kind = PyUnicode_KIND(text);
        const void *data = PyUnicode_DATA(text);
        Py_ssize_t n = PyUnicode_GET_LENGTH(text);
        int64_t count = 0;
        Py_ssize_t i = 0;
        while (i < n) {
            Py_ssize_t j = token_end(kind, data, n, i);
            if (j < 0) {
                i++;
                continue;
            }
            int32_t code = encoder_code(self, text, kind, data, i, j, added);
            if (code < 0) goto done;
            if (buffer_reserve(&codes, sizeof(int32_t)) < 0) goto done;
            memcpy(codes.buf + codes.used, &code, sizeof(int32_t));
            codes.used += sizeof(int32_t);
            count++;
            i = j;
        }
        lengths[t] = count;
    }
    {
        PyObject *codes_out = PyByteArray_FromStringAndSize(codes.buf ? codes.buf : "", (Py_ssize_t)codes.used);
        PyObject *lengths_out = PyByteArray_FromStringAndSize((const char *)lengths,
                                                              n_texts * (Py_ssize_t)sizeof(int64_t));
        if (codes_out && lengths_out) result = PyTuple_Pack(3, codes_out, added, lengths_out);
        Py_XDECREF(codes_out);
        Py_XDECREF(lengths_out);
    }
done:
    Py_DECREF(texts);
    Py_XDECREF(added);
    PyMem_Free(codes.buf);
    PyMem_Free(lengths);
    return result;
}

static PyMethodDef Encoder_methods[] = {
    {"encode", (PyCFunction)Encoder_encode, METH_O, encode_doc},
    {NULL, NULL, 0, NULL},
};

static PySequenceMethods Encoder_as_sequence = {
    .sq_length = (lenfunc)Encoder_len,
};

static PyTypeObject EncoderType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "corpus_tools.text._ctokenize.Encoder",
    .tp_basicsize = sizeof(Encoder),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = PyDoc_STR("Numbers the distinct surface strings of tokenised texts (see encode)."),
    .tp_new = Encoder_new,
    .tp_dealloc = (destructor)Encoder_dealloc,
    .tp_methods = Encoder_methods,
    .tp_as_sequence = &Encoder_as_sequence,
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "corpus_tools.text._ctokenize",
    .m_doc = "Compiled tokeniser and surface-string encoder (see corpus_tools.text.tokenizer).",
    .m_size = -1,
};

PyMODINIT_FUNC PyInit__ctokenize(void)
{
    init_classes();
    if (PyType_Ready(&EncoderType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL) return NULL;
    Py_INCREF(&EncoderType);
    if (PyModule_AddObject(m, "Encoder", (PyObject *)&EncoderType) < 0) {
        Py_DECREF(&EncoderType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
