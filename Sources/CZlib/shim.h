#ifndef GITER_CZLIB_SHIM_H
#define GITER_CZLIB_SHIM_H
// zlib: the object streams of the packs Giter writes (GiterLocalGit's Deflater, PackFileWriter).
#include <zlib.h>
#endif
