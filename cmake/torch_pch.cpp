// Anchor translation unit for the shared LibTorch precompiled header (see MedsegBuild.cmake).
