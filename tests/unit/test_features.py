"""Tests for physdl_docs.features: HOG features, the two pipelines, VGG16 sizes."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy.ndimage import correlate1d

from physdl_docs.features import (
    cell_histograms,
    hog,
    image_gradients,
    learning_curve,
    nearest_centroid_accuracy,
    pca,
    penultimate,
    train_pipeline,
    vgg16_shapes,
)


def _reference_histograms(img: np.ndarray, n_bins: int, cell: int) -> np.ndarray:
    """Pixel-by-pixel loop: each pixel splits its magnitude between two bins."""
    H, W = img.shape
    p = np.pad(img, 1)
    out = np.zeros((H // cell, W // cell, n_bins))
    width = math.pi / n_bins
    for i in range(H):
        for j in range(W):
            gx = p[i + 1, j + 2] - p[i + 1, j]
            gy = p[i + 2, j + 1] - p[i, j + 1]
            m = math.hypot(gx, gy)
            theta = math.atan2(gy, gx) % math.pi
            # distance (in bins) above the centre of the bin just below theta
            k = math.floor(theta / width - 0.5)
            frac = theta / width - 0.5 - k
            out[i // cell, j // cell, k % n_bins] += m * (1 - frac)
            out[i // cell, j // cell, (k + 1) % n_bins] += m * frac
    return out


def test_gradients_are_the_minus_one_zero_one_filter():
    img = np.random.default_rng(0).random((3, 5, 7))
    gx, gy = image_gradients(img)
    # scipy correlation with [-1, 0, 1] and zero padding along each axis
    kernel = np.array([-1.0, 0.0, 1.0])
    np.testing.assert_allclose(gx, correlate1d(img, kernel, axis=2, mode="constant"),
                               atol=1e-15)
    np.testing.assert_allclose(gy, correlate1d(img, kernel, axis=1, mode="constant"),
                               atol=1e-15)


@pytest.mark.parametrize("n_bins,cell", [(9, 2), (4, 4), (6, 1)])
def test_cell_histograms_match_a_pixel_loop(n_bins, cell):
    imgs = np.random.default_rng(n_bins).random((2, 8, 8))
    got = cell_histograms(imgs, n_bins=n_bins, cell=cell)
    for img, h in zip(imgs, got):
        # every cell's histogram equals the explicit per-pixel votes
        np.testing.assert_allclose(h, _reference_histograms(img, n_bins, cell),
                                   atol=1e-12)


def test_orientation_votes_by_hand():
    # one bright pixel at the bottom right of a 2x2 image (zeros around):
    # pixel (0, 1) has gy = 1 (theta = pi/2), pixel (1, 0) has gx = 1
    # (theta = 0); the other two have no gradient
    img = np.array([[[0.0, 0.0], [0.0, 1.0]]])
    # 3 bins centred at pi/6, pi/2, 5pi/6: pi/2 goes wholly to bin 1, and 0
    # lies halfway between 5pi/6 - pi and pi/6 (the bins wrap around)
    np.testing.assert_allclose(cell_histograms(img, n_bins=3, cell=2)[0, 0, 0],
                               [0.5, 1.0, 0.5], atol=1e-12)
    # 4 bins (centres pi/8, 3pi/8, ...): both orientations fall between two
    np.testing.assert_allclose(cell_histograms(img, n_bins=4, cell=2)[0, 0, 0],
                               [0.5, 0.5, 0.5, 0.5], atol=1e-12)


def test_hog_assembles_normalised_blocks():
    imgs = np.random.default_rng(2).random((3, 8, 8))
    F = hog(imgs, eps=1e-3)
    cells = cell_histograms(imgs)  # [3, 4, 4, 9]
    # 3 x 3 blocks of 2 x 2 cells x 9 bins
    assert F.shape == (3, 324) and F.dtype == np.float32
    blocks = F.reshape(3, 9, 36)
    # block (1, 2) is cells rows 1-2, columns 2-3, L2-normalised with eps
    v = cells[:, 1:3, 2:4].reshape(3, -1)
    np.testing.assert_allclose(blocks[:, 1 * 3 + 2],
                               v / np.sqrt((v ** 2).sum(1, keepdims=True) + 1e-6),
                               rtol=1e-6)
    # every block has (almost) unit norm
    np.testing.assert_allclose(np.linalg.norm(blocks, axis=2), 1.0, rtol=1e-5)


def test_hog_ignores_contrast_and_keeps_empty_blocks_finite():
    img = np.random.default_rng(3).random((1, 8, 8))
    # scaling the intensity scales every block vector: normalisation cancels it
    np.testing.assert_allclose(hog(img), hog(5.0 * img), atol=1e-5)
    # an empty image has zero gradients: all-zero features, no NaN
    assert np.array_equal(hog(np.zeros((1, 8, 8))), np.zeros((1, 324), np.float32))


def test_vgg16_shapes_from_the_configuration():
    from physdl_docs.cnn import vgg_layers

    shapes = vgg16_shapes()
    names = [n for n, _ in shapes]
    # input, 13 convolutions, 5 pools, 3 dense layers
    assert names[0] == "input" and len(shapes) == 1 + 13 + 5 + 3
    assert sum(n.startswith("conv") for n in names) == 13
    assert sum(n.startswith("pool") for n in names) == 5
    d = dict(shapes)
    # 224 x 224 x 3 inputs; pooling halves the side five times: 7 x 7 x 512
    assert math.prod(d["input"]) == 150_528
    assert d["conv1_2"] == (64, 224, 224) and d["pool1"] == (64, 112, 112)
    assert d["pool5"] == (512, 7, 7) and math.prod(d["pool5"]) == 25_088
    assert d["fc7"] == (4096,) and d["fc8"] == (1000,)
    # fc6 maps the 25,088 numbers of pool5 to 4096: (25088 + 1) * 4096
    # parameters, as physdl_docs.cnn counts them
    assert dict(vgg_layers())["fc6"] == (math.prod(d["pool5"]) + 1) * 4096
    # the conv layer names match cnn.vgg_layers' names
    assert [n for n in names if n.startswith("conv")] == [
        n for n, _ in vgg_layers() if n.startswith("conv")]
    # a bigger image doubles every side
    assert dict(vgg16_shapes(448))["pool5"] == (512, 14, 14)


def test_pca_matches_the_covariance_eigenvectors_up_to_sign():
    F = np.random.default_rng(4).normal(size=(50, 6)) * np.arange(1, 7)
    G = np.random.default_rng(5).normal(size=(7, 6))
    Z, Zg = pca(F, 2, G)
    # reference: the top eigenvectors of the sample covariance (not an SVD)
    mean = F.mean(0)
    _, vecs = np.linalg.eigh(np.cov(F, rowvar=False))
    top = vecs[:, ::-1][:, :2]
    for k in range(2):
        ref, ref_g = (F - mean) @ top[:, k], (G - mean) @ top[:, k]
        s = np.sign(Z[0, k] * ref[0])
        # each component agrees with the eigenvector projection up to its sign
        np.testing.assert_allclose(Z[:, k], s * ref, atol=1e-10)
        np.testing.assert_allclose(Zg[:, k], s * ref_g, atol=1e-10)
    # the components are uncorrelated, with decreasing variance
    assert abs(np.cov(Z, rowvar=False)[0, 1]) < 1e-10
    assert Z[:, 0].var() > Z[:, 1].var()


def test_nearest_centroid_accuracy_counts_correct_assignments():
    Z = np.array([[0.0, 0.0], [0.0, 2.0], [10.0, 0.0], [10.0, 2.0]])
    y = np.array([3, 3, 7, 7])  # centroids (0, 1) and (10, 1)
    Zt = np.array([[4.9, 1.0], [5.1, 1.0], [9.0, 9.0]])
    # 4.9 is nearer to class 3; 5.1 and (9, 9) nearer to class 7
    assert nearest_centroid_accuracy(Z, y, Zt, np.array([3, 3, 7])) == pytest.approx(2 / 3)


def test_penultimate_is_the_input_of_the_last_layer():
    from physdl_docs.cnn import make_mlp

    net = make_mlp(hidden=5, seed=0)  # Flatten, Linear, ReLU, Linear
    X = np.random.default_rng(6).random((4, 64)).astype(np.float32)
    H = penultimate(net, X)
    with torch.no_grad():
        ref = torch.relu(net[1](torch.from_numpy(X)))
        out = net(torch.from_numpy(X))
    # hidden ReLU activations, and the last layer maps them to the scores
    np.testing.assert_allclose(H, ref.numpy(), rtol=1e-6)
    np.testing.assert_allclose(net[-1](torch.from_numpy(H)).detach().numpy(),
                               out.numpy(), rtol=1e-5)


def test_train_pipeline_is_reproducible_and_learns():
    _, a1 = train_pipeline("hog", n_train=100, seed=3, steps=30)
    _, a2 = train_pipeline("hog", n_train=100, seed=3, steps=30)
    _, b = train_pipeline("mlp", n_train=300, seed=0, steps=60)
    # same seed, same accuracy; both pipelines far above chance (0.1)
    assert a1 == a2
    assert a1 > 0.7 and b > 0.8


def test_learning_curve_shape_and_values():
    acc = learning_curve("hog", sizes=(20, 200), seeds=(0, 1), steps=20)
    assert acc.shape == (2, 2)
    # each entry is train_pipeline's accuracy for that size and seed
    assert acc[1, 0] == train_pipeline("hog", 200, 0, 20)[1]
    # more data helps
    assert acc[1].mean() > acc[0].mean()


def test_bad_inputs():
    with pytest.raises(ValueError, match="images"):
        hog(np.zeros((8, 8)))
    with pytest.raises(ValueError, match="cell"):
        cell_histograms(np.zeros((1, 8, 8)), cell=3)
    with pytest.raises(ValueError, match="block"):
        hog(np.zeros((1, 8, 8)), cell=4, block=3)
    with pytest.raises(TypeError, match="n_bins"):
        cell_histograms(np.zeros((1, 8, 8)), n_bins=2.0)
    with pytest.raises(ValueError, match="kind"):
        train_pipeline("svm")
    with pytest.raises(ValueError, match="n_train"):
        train_pipeline("hog", n_train=1500)
    with pytest.raises(ValueError, match="k"):
        pca(np.zeros((5, 3)), k=4)
    with pytest.raises(ValueError, match="F_other"):
        pca(np.ones((5, 3)), 2, np.ones((2, 4)))
    with pytest.raises(ValueError, match="sizes"):
        learning_curve("hog", sizes=())
    with pytest.raises(TypeError, match="model"):
        penultimate(torch.nn.Linear(3, 2), np.zeros((1, 3)))
    with pytest.raises(ValueError, match="image_size"):
        vgg16_shapes(16)
    with pytest.raises(ValueError, match="Z_test"):
        nearest_centroid_accuracy(np.zeros((2, 2)), [0, 1], np.zeros((1, 3)), [0])
