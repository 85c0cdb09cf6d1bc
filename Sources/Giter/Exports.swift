// Host apps that import Giter also see the codec: resources are read and
// written with its node tree, readers, writers and coders.
@_exported public import GiterCodec
