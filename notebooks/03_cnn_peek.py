# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # A sneak peek at a convolutional network
#
# Our dense network reads about 92 % of the test digits right. Convolutional layers, together with
# tricks such as pooling, dropout and other activation functions, are what made the big leaps. With
# the Keras library you can train one on the same digits in a few lines. Nothing is graded here:
# read, run, and play.
#
# Keras is optional for this course. If the next cell says it is missing, install it from the course
# folder with `pip install -r requirements-cnn.txt` (Keras with its PyTorch backend) and restart the kernel.

# %%
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np

from backprop_lab.student import course

try:
    import keras
except Exception as error:  # not installed, or installed without a working backend
    keras = None
    print(f"Keras could not be loaded ({type(error).__name__}: {error}).")
    print("From the course folder run:  pip install -r requirements-cnn.txt  and restart the kernel.")
else:
    print("Keras", keras.__version__, "with the", keras.backend.backend(), "backend")

# %% [markdown]
# ## The data, as images
#
# A convolutional layer wants images, not flat rows: shape (samples, 28, 28, channels), one channel
# for grey. The labels stay one-hot.

# %%
savedData = np.load(course.dataFile("dataMNISTNeuralNetwork.npz"))
XTrain = savedData["XTrain"].reshape(-1, 28, 28, 1).astype("float32")
XTest = savedData["XTest"].reshape(-1, 28, 28, 1).astype("float32")
yTrain, yTest = savedData["yTrain"], savedData["yTest"]
print(XTrain.shape, XTest.shape)

# %% [markdown]
# ## The model
#
# Two rounds of convolution (3 × 3 kernels, ReLU) and max pooling, then dropout and a dense softmax
# layer with one unit per digit.
#
# **Think about it.** Before you run `model.summary()`, work out on paper what shape comes out of each
# layer: 28 × 28 with 3 × 3 kernels and no padding gives 26 × 26 per filter; pooling by 2 halves it.

# %%
if keras is not None:
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        keras.layers.Conv2D(16, kernel_size=(3, 3), activation="relu"),
        keras.layers.MaxPooling2D(pool_size=(2, 2)),
        keras.layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        keras.layers.MaxPooling2D(pool_size=(2, 2)),
        keras.layers.Flatten(),
        keras.layers.Dropout(0.5),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.summary()

# %% [markdown] instructor="only"
# **Answer (instructors only).** (26, 26, 16) after the first convolution, (13, 13, 16) after pooling,
# (11, 11, 32) after the second convolution, (5, 5, 32) after pooling (11 / 2 rounds down), 800 numbers
# after flattening (dropout keeps the shape), and 10 out of the dense layer.

# %% [markdown]
# **Far fewer weights.** A convolutional layer's parameters do not depend on the size of the image. The
# first layer has 16 kernels of 3 × 3 weights and 16 biases: 160 parameters. A dense layer of 25 units
# over the 784 pixels, the hidden layer of our first network, has 784 × 25 + 25 = 19,625. The whole
# CNN has 12,810 parameters, fewer than our dense network's 19,885 (`model.summary()` counts them).

# %% [markdown]
# ## Training
#
# A few passes (epochs) over the 4,000 training digits, in batches of 64, with 10 % held out to watch
# for overfitting. This takes some seconds on a laptop.

# %%
if keras is not None:
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    history = model.fit(XTrain, yTrain, batch_size=64, epochs=6, validation_split=0.1, verbose=2)
    testLoss, testAccuracy = model.evaluate(XTest, yTest, verbose=0)
    print(f"Test set accuracy of the CNN: {testAccuracy:.1%}")

# %% [markdown]
# ## What did the first layer learn?
#
# Each of the 16 first-layer filters is a 3 × 3 kernel, like the edge filters you wrote by hand.
# (**Optional**: compare them with the filters before training, from a fresh model.)

# %%
if keras is not None:
    import matplotlib.pyplot as plt

    kernels = model.layers[0].get_weights()[0]  # (3, 3, 1, 16)
    fig, axes = plt.subplots(2, 8, figsize=(10, 3))
    for index, ax in enumerate(np.ravel(axes)):
        ax.imshow(kernels[:, :, 0, index], cmap="gray")
        ax.set_title(f"filter {index + 1}", fontsize=8)
        ax.set_axis_off()
    plt.show()

# %% [markdown]
# ## What to remember
#
# * A CNN stacks the convolutions you wrote by hand, with learned kernels, and pooling to shrink the maps.
# * It needs far fewer weights than a dense layer over all pixels (160 against 19,625 in the first
#   layer), and finds a pattern wherever it is.
# * Keras (or PyTorch) computes every gradient for you, by the same backpropagation you wrote.
