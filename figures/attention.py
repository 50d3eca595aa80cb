"""Figures of lesson 2.7, attention and Transformers (physdl_docs.attention)."""

from functools import cache

from figures._style import Style
from physdl_docs.attention import (
    accuracies,
    attention_weights,
    conv_model,
    conv_patches,
    fit_models,
    minibatches,
    motif_images,
    patch_model,
    patchify,
    sequence_model,
)

V, L = 8, 8  # the page's reversal task: 8 tokens from a vocabulary of 8


@cache
def _reversal():
    # the page's run: 3 copies with positions, 3 without, 100 Adam steps
    import torch

    model = sequence_model(6, vocab=V, length=L,
                           positions=[True] * 3 + [False] * 3, seed=0)

    def reversal(gen):
        x = torch.randint(V, (6, 16, L), generator=gen)
        return x, x.flip(-1)

    fit_models(model, reversal, steps=100, lr=2e-2)
    tokens = torch.tensor([3, 1, 4, 1, 5, 2, 6, 5])
    maps = []
    with torch.no_grad():
        for m in (0, 3):  # a copy with positions and one without
            x = model.embed[tokens + model.offset[m, 0, 0]] + model.P[m, 0]
            x = torch.nn.functional.layer_norm(x, (x.shape[-1],))
            q, k, _ = (x @ model.block.W_qkv[m]).chunk(3, dim=-1)  # [L, d]
            h = model.block.h
            # [heads, L, d/h] per head, then the numpy attention matrix
            qh, kh = (t.view(L, h, -1).transpose(0, 1).numpy() for t in (q, k))
            maps.append(attention_weights(qh, kh).mean(axis=0))
    return tokens.numpy(), maps


def reversal(st: Style):
    """Attention of a trained copy with positions and one without."""
    tokens, maps = _reversal()
    fig, axes = st.subplots(1, 2, height=2.9)
    titles = (st.t(en="with positions", ko="위치 있음"),
              st.t(en="without positions", ko="위치 없음"))
    for ax, A, title in zip(axes, maps, titles, strict=True):
        ax.imshow(A, cmap="viridis", vmin=0, vmax=1)
        ax.set_title(title)
        ax.set_xticks(range(L), [str(t) for t in tokens])
        ax.set_yticks(range(L))
        ax.set_xlabel(st.t(en="key (input token)", ko="키 (입력 토큰)"))
    axes[0].set_ylabel(st.t(en="query position", ko="쿼리 위치"))
    return fig


SIZES = (16, 64, 256, 1024, 4096)


@cache
def _data_efficiency():
    # CNN and ViT-style models on the motif task, 2 copies per training size
    X_test, y_test = motif_images(1000, rng=99)
    train = [motif_images(n, rng=seed) for n in SIZES for seed in range(2)]
    M = len(train)
    curves = {}
    for name, model, prep, steps, lr in (
            ("cnn", conv_model(M, 9, 4, seed=0), conv_patches, 60, 2e-2),
            ("vit", patch_model(M, 4, 16, 4, seed=0), lambda X: patchify(X, 4), 150, 1e-2)):
        fit_models(model, minibatches([(prep(X), y) for X, y in train], 32), steps, lr=lr)
        curves[name] = accuracies(model, prep(X_test), y_test, shared=True).reshape(-1, 2)
    return curves


def data_efficiency(st: Style):
    """Test accuracy against training-set size, CNN vs ViT-style."""
    curves = _data_efficiency()
    fig, ax = st.subplots(height=3.2)
    labels = {"cnn": st.t(en="small CNN", ko="작은 CNN"),
              "vit": st.t(en="small ViT-style", ko="작은 ViT 방식")}
    for (name, acc), marker in zip(curves.items(), "os", strict=True):
        ax.errorbar(SIZES, acc.mean(1), yerr=acc.std(1), marker=marker,
                    capsize=3, label=labels[name])
    ax.axhline(0.25, color=st.muted, linestyle=":", linewidth=1.2)
    ax.text(SIZES[2], 0.18, st.t(en="chance", ko="우연"), color=st.muted, ha="center")
    ax.set_xscale("log", base=2)
    ax.set_xticks(SIZES, [str(n) for n in SIZES])
    ax.set_ylim(0, 1.05)
    ax.set_xlabel(st.t(en="training images", ko="훈련 이미지 수"))
    ax.set_ylabel(st.t(en="test accuracy", ko="테스트 정확도"))
    ax.legend(loc="center right")
    return fig


FIGURES = {"attention-reversal": reversal, "attention-data": data_efficiency}
